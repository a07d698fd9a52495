package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@code telemetry} subscription over graphql-transport-ws on a live all-in-one pipeline with
 * a token: filtered committed samples arrive, the upgrade needs the token, and a gateway with
 * {@code gateway.graphql.enabled=false} has neither {@code /graphql} nor {@code /graphiql}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphqlSubscriptionIT {

  private static final String TOKEN = "graphql-ws-token";

  private Vertx vertx;
  private int port;
  private final SampleCsv.Row someRow = SampleCsv.rows().get(0);

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, Pipelines.merge(Pipelines.liveAllInOne(2_000),
        new JsonObject().put("gateway", new JsonObject().put("auth", new JsonObject().put("tokens", new JsonArray().add(TOKEN))))));
    port = pipeline.gatewayPort();
    Poll.until("samples committed", 30, () -> pipeline.metrics().samplesPersisted.count() > 0);
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private WebSocket connect(String query, BlockingQueue<JsonObject> received) {
    WebSocketClient ws = vertx.createWebSocketClient();
    WebSocket socket = await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(GraphqlEndpoint.PATH + query).addSubProtocol("graphql-transport-ws")));
    socket.textMessageHandler(text -> received.add(new JsonObject(text)));
    return socket;
  }

  private static JsonObject next(BlockingQueue<JsonObject> received) throws InterruptedException {
    JsonObject m = received.poll(10, TimeUnit.SECONDS);
    assertNotNull(m, "no message within 10 s");
    return m;
  }

  @Test
  void subscriptionReceivesFilteredLiveSamples() throws InterruptedException {
    BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    WebSocket socket = connect("?access_token=" + TOKEN, received);
    assertEquals("graphql-transport-ws", socket.subProtocol());
    socket.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
    assertEquals("connection_ack", next(received).getString("type"));
    String query = "subscription($m: String, $h: String) { telemetry(metric: $m, hostname: $h) { dropped samples { uuid "
        + "timestamp metric value hostname labels { name value } } } }";
    socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe").put("payload", new JsonObject()
        .put("query", query).put("variables", new JsonObject().put("m", someRow.metric()).put("h", someRow.hostname())))
        .encode());
    int samples = 0;
    while (samples < 20) {
      JsonObject m = next(received);
      assertEquals("next", m.getString("type"), m.encode());
      assertEquals("1", m.getString("id"));
      JsonObject event = m.getJsonObject("payload").getJsonObject("data").getJsonObject("telemetry");
      assertEquals(0, event.getInteger("dropped"));
      JsonArray batch = event.getJsonArray("samples");
      assertFalse(batch.isEmpty());
      for (int i = 0; i < batch.size(); i++) {
        JsonObject s = batch.getJsonObject(i);
        assertEquals(someRow.metric(), s.getString("metric"));
        assertEquals(someRow.hostname(), s.getString("hostname"));
        assertNotNull(s.getString("uuid"));
        assertNotNull(s.getString("timestamp"));
      }
      samples += batch.size();
    }
    socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "complete").encode());
    await(socket.close());
  }

  @Test
  void aFilterTooLongNamesTheArgument() throws InterruptedException {
    BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    WebSocket socket = connect("?access_token=" + TOKEN, received);
    socket.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
    assertEquals("connection_ack", next(received).getString("type"));
    socket.writeTextMessage(new JsonObject().put("id", "2").put("type", "subscribe").put("payload", new JsonObject()
        .put("query", "subscription { telemetry(gpu: \"" + "x".repeat(300) + "\") { dropped } }")).encode());
    JsonObject m = next(received);
    // an execution error (not a validation one): a result with errors, as graphql-transport-ws sends them
    assertEquals("next", m.getString("type"), m.encode());
    JsonObject error = m.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
    assertEquals(400, error.getJsonObject("extensions").getInteger("status"));
    assertEquals("gpu", error.getJsonObject("extensions").getString("argument"), m.encode());
    await(socket.close());
  }

  @Test
  void oneConnectionHoldsAtMostSixteenSubscriptions() throws InterruptedException {
    BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    WebSocket socket = connect("?access_token=" + TOKEN, received);
    socket.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
    assertEquals("connection_ack", next(received).getString("type"));
    // subscriptions to a GPU that never sends: nothing arrives but the refusal
    String query = "subscription { telemetry(gpu: \"GPU-none\") { dropped } }";
    for (int i = 0; i <= LiveSubscriptions.MAX_PER_CONNECTION; i++) {
      socket.writeTextMessage(new JsonObject().put("id", "s" + i).put("type", "subscribe")
          .put("payload", new JsonObject().put("query", query)).encode());
    }
    JsonObject refused = next(received);
    assertEquals("s" + LiveSubscriptions.MAX_PER_CONNECTION, refused.getString("id"), refused.encode());
    JsonObject error = refused.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
    assertEquals(429, error.getJsonObject("extensions").getInteger("status"), refused.encode());
    assertTrue(error.getString("message").contains("at most " + LiveSubscriptions.MAX_PER_CONNECTION));
    // completing one makes room for another, which is accepted (no error arrives for it)
    socket.writeTextMessage(new JsonObject().put("id", "s0").put("type", "complete").encode());
    Thread.sleep(300);
    socket.writeTextMessage(new JsonObject().put("id", "again").put("type", "subscribe")
        .put("payload", new JsonObject().put("query", query)).encode());
    JsonObject more = received.poll(1500, TimeUnit.MILLISECONDS);
    assertTrue(more == null || !"again".equals(more.getString("id")) || !more.getJsonObject("payload").containsKey("errors"),
        "refused after one completed: " + more);
    // another connection has room of its own
    BlockingQueue<JsonObject> other = new LinkedBlockingQueue<>();
    WebSocket second = connect("?access_token=" + TOKEN, other);
    second.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
    assertEquals("connection_ack", next(other).getString("type"));
    second.writeTextMessage(new JsonObject().put("id", "x").put("type", "subscribe")
        .put("payload", new JsonObject().put("query", query)).encode());
    assertEquals(null, other.poll(1500, TimeUnit.MILLISECONDS));
    await(socket.close());
    await(second.close());
  }

  @Test
  void theUpgradeNeedsTheToken() {
    Throwable refused = vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(GraphqlEndpoint.PATH).addSubProtocol("graphql-transport-ws")).toCompletionStage().toCompletableFuture()
        .handle((ok, e) -> e).join();
    assertNotNull(refused, "connected without a token");
    assertTrue(refused.getMessage().contains("401"), refused.toString());
  }

  @Test
  void switchedOffBothPathsAre404() {
    Vertx other = Vertx.vertx();
    try {
      PipelineVerticle p = Pipelines.deploy(other, new JsonObject().put("roles", new JsonArray().add("gateway"))
          .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")
              .put("graphql", new JsonObject().put("enabled", false))));
      WebClient client = WebClient.create(other, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(p.gatewayPort()).setFollowRedirects(false));
      assertEquals(404, await(client.get(GraphqlEndpoint.PATH + "?query=%7Bmetrics%7D").send()).statusCode());
      assertEquals(404, await(client.get(GraphqlEndpoint.GRAPHIQL + "/").send()).statusCode());
      assertEquals(404, await(client.post(GraphqlEndpoint.PATH).putHeader("content-type", "application/json")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"query\":\"{metrics}\"}"))).statusCode());
      assertEquals(200, await(client.get("/api/v1/metrics").send()).statusCode());
    } finally {
      await(other.close());
    }
  }
}
