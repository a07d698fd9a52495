package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile live-feed clients on a gateway-only process: one that sends without reading, one that
 * sends oversized messages, one whose input would be echoed. None may make the gateway hold more
 * than a bounded amount for it.
 */
class GatewayWebSocketLimitsIT {

  private final Vertx vertx = Vertx.vertx();
  private PipelineVerticle pipeline;
  private WebSocketClient client;

  @BeforeEach
  void boot() {
    pipeline = Pipelines.deploy(vertx, new JsonObject().put("roles", new JsonArray().add("gateway"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("idleTimeout", "4s")));
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 24)
        .setMaxFrameSize(1 << 24).setReceiveBufferSize(4096));
  }

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private ClientWebSocket connect(LinkedBlockingQueue<String> received) {
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(received::add);
    await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pipeline.gatewayPort())
        .setURI("/ws/telemetry")));
    return ws;
  }

  @Test
  void clientThatSendsWithoutReadingIsThrottledThenClosedWith1008() throws InterruptedException {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    ClientWebSocket ws = connect(received);
    ws.pause();
    // each message is answered by a reply as large: a client that never reads would have the
    // gateway queue them all
    String v = "v".repeat(LiveFilter.MAX_LENGTH);
    String subscribe = new JsonObject().put("type", "subscribe").put("gpu", v).put("metric", v).put("hostname", v)
        .encode();
    long limit = 256L << 20;
    AtomicLong sent = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (!stop.get() && !ws.isClosed() && !ws.writeQueueFull() && sent.get() < limit) {
        ws.writeTextMessage(subscribe);
        sent.addAndGet(subscribe.length());
      }
    };
    ws.drainHandler(x -> pump[0].run());
    vertx.runOnContext(x -> pump[0].run());
    Poll.until("the gateway closes the client", 20, () -> pipeline.metrics().websocketClosedSlow.count() > 0);
    stop.set(true);
    assertTrue(sent.get() < 64L << 20, "the gateway read " + (sent.get() >> 20) + " MB from a client that does not read");
    // reading again, the client finds the connection closed: with 1008 when the close frame got
    // through before the gateway dropped the connection, else abnormally (1006)
    ws.resume();
    Poll.until("closed", 15, ws::isClosed);
    assertTrue(ws.closeStatusCode() == 1008 || ws.closeStatusCode() == 1006, "closed with " + ws.closeStatusCode());
    assertEquals(200, await(WebClient.create(vertx).get(pipeline.gatewayPort(), "127.0.0.1", "/health").send())
        .statusCode());
  }

  @Test
  void oversizedMessageClosesTheSocketWith1009() {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    ClientWebSocket ws = connect(received);
    ws.writeTextMessage(new JsonObject().put("type", "x".repeat(60_000)).encode());
    Poll.until("closed", 10, ws::isClosed);
    assertEquals((short) 1009, ws.closeStatusCode());
  }

  @Test
  void repliesRepeatOnlyAShortPrefixOfTheClientsInput() throws InterruptedException {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    ClientWebSocket ws = connect(received);
    assertTrue(received.poll(5, TimeUnit.SECONDS).contains("subscribed"));
    ws.writeTextMessage(new JsonObject().put("type", "x".repeat(4000)).encode());
    String reply = received.poll(5, TimeUnit.SECONDS);
    JsonObject error = new JsonObject(reply);
    assertEquals("error", error.getString("type"));
    assertTrue(reply.length() < 300, reply);
    assertTrue(error.getString("error").contains("x".repeat(ApiException.ECHO_LIMIT)), reply);
    assertFalse(error.getString("error").contains("x".repeat(ApiException.ECHO_LIMIT + 1)), reply);
    // a filter longer than any GPU id is refused, not echoed
    ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("gpu", "g".repeat(4000)).encode());
    String refused = received.poll(5, TimeUnit.SECONDS);
    assertTrue(refused.contains("'gpu'") && refused.length() < 300, refused);
    assertFalse(ws.isClosed());
  }
}
