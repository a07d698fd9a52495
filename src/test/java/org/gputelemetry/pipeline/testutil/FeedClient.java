package org.gputelemetry.pipeline.testutil;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A live-feed client for tests: a raw Vert.x WebSocket whose messages (sample frames as
 * {@link JsonArray}, control messages as {@link JsonObject}) are queued for the test thread.
 */
public final class FeedClient implements AutoCloseable {

  private final WebSocketClient client;
  private final WebSocket ws;
  private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();

  private FeedClient(WebSocketClient client, ClientWebSocket ws, WebSocketConnectOptions connect) {
    this.client = client;
    this.ws = ws;
    // the handler is set before connecting, so the server's first message cannot slip past it
    ws.textMessageHandler(text -> messages.add(text.startsWith("[") ? new JsonArray(text) : new JsonObject(text)));
    await(ws.connect(connect));
  }

  /** Connects to {@code /ws/telemetry?query}; {@code receiveBuffer} > 0 shrinks the socket's receive buffer. */
  public static FeedClient connect(Vertx vertx, int port, String query, int receiveBuffer) {
    WebSocketClientOptions options = new WebSocketClientOptions().setMaxMessageSize(1 << 24);
    if (receiveBuffer > 0) {
      options.setReceiveBufferSize(receiveBuffer);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    return new FeedClient(client, client.webSocket(), new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws/telemetry" + (query == null || query.isEmpty() ? "" : "?" + query)));
  }

  public static FeedClient connect(Vertx vertx, int port, String query) {
    return connect(vertx, port, query, 0);
  }

  public WebSocket socket() {
    return ws;
  }

  public void send(JsonObject message) {
    await(ws.writeTextMessage(message.encode()));
  }

  /** The next message, or fails after {@code seconds}. */
  public Object next(int seconds) {
    try {
      Object m = messages.poll(seconds, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message in " + seconds + "s");
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Skips messages until a control message of {@code type}, and returns it. */
  public JsonObject control(String type, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      Object m = next(seconds);
      if (m instanceof JsonObject o && type.equals(o.getString("type"))) {
        return o;
      }
    }
    throw new AssertionError("no '" + type + "' message in " + seconds + "s");
  }

  /** Every sample received during the next {@code millis}, failing on any control message other than {@code dropped}. */
  public List<JsonObject> samplesFor(long millis) {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + millis * 1_000_000L;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return out;
        }
        Object m = messages.poll(left, TimeUnit.NANOSECONDS);
        if (m instanceof JsonArray a) {
          a.forEach(o -> out.add((JsonObject) o));
        } else if (m instanceof JsonObject o && !"dropped".equals(o.getString("type"))) {
          throw new AssertionError("unexpected control message " + o.encode());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Messages received and not yet taken. */
  public List<Object> drain() {
    List<Object> out = new ArrayList<>();
    messages.drainTo(out);
    return out;
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      await(ws.close());
    }
    await(client.close());
  }
}
