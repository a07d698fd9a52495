package org.gputelemetry.pipeline.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;

/**
 * One live-feed WebSocket: its filter and a bounded queue of samples not yet written. A client
 * that keeps up gets each committed batch as one frame, shared with every connection of the same
 * filter. Nothing is written while the socket's write queue is full (the client reads slowly), so
 * what the gateway holds for one client is bounded whatever it does:
 *
 * <ul>
 *   <li>samples wait in the queue; past {@code capacity} the oldest are dropped, counted, and the
 *       client is told how many ({@code {"type":"dropped","count":N}}) before its next frame;</li>
 *   <li>a reply to the client's own message waits in one slot and the socket is not read until
 *       it is written, so a client that sends without reading is slowed by TCP, not buffered;</li>
 *   <li>a socket that takes nothing for half the idle timeout, or a client that answers nothing
 *       (not even a ping) for the idle timeout, is closed with 1008 and counted
 *       ({@code telemetry_websocket_closed_total{reason="slow_client"}}).</li>
 * </ul>
 *
 * <p>Replies repeat at most {@value ApiException#ECHO_LIMIT} characters of the client's input.
 * Confined to the gateway's event loop (the socket's and the feed's consumer's).
 */
final class LiveConnection {

  /** Most samples per message (about 170 KB), within what WebSocket clients accept by default. */
  static final int MAX_FRAME_SAMPLES = 1000;
  /** The close code for a client that does not read: policy violation. */
  static final short CLOSE_SLOW_CLIENT = 1008;

  private final ServerWebSocket ws;
  private final int capacity;
  private final PipelineMetrics metrics;
  private final ArrayDeque<Sample> queue = new ArrayDeque<>();
  private LiveFilter filter;
  private long dropped;
  private String pendingReply;
  private boolean readPaused;
  private long stalledSince = -1;
  private long lastPing;
  private long lastHeard;

  LiveConnection(ServerWebSocket ws, LiveFilter filter, int capacity, PipelineMetrics metrics) {
    this.ws = ws;
    this.filter = filter;
    this.capacity = capacity;
    this.metrics = metrics;
    this.lastHeard = System.nanoTime();
    this.lastPing = lastHeard;
    ws.drainHandler(v -> onDrain());
    ws.pongHandler(b -> lastHeard = System.nanoTime());
  }

  LiveFilter filter() {
    return filter;
  }

  /** Hands this connection a committed batch; {@code frames} encodes each filter's frame once per batch. */
  void offer(SampleBatch batch, LiveFrames frames) {
    if (ws.isClosed()) {
      return;
    }
    if (queue.isEmpty() && dropped == 0 && pendingReply == null && !ws.writeQueueFull()) {
      LiveFrames.Frame frame = frames.frame(filter);
      if (frame != null) {
        frame.bodies().forEach(body -> LiveFrames.write(ws, body));
        metrics.websocketSent.increment(frame.samples());
        }
      return;
    }
    long droppedNow = 0;
    for (Sample s : batch.samples()) {
      if (filter.matches(s)) {
        if (queue.size() >= capacity) {
          queue.pollFirst();
          droppedNow++;
        }
        queue.addLast(s);
      }
    }
    if (droppedNow > 0) {
      dropped += droppedNow;
      metrics.websocketDropped.increment(droppedNow);
    }
    flush();
  }

  /** Writes what waits (the pending reply first) while the socket accepts it. */
  private void flush() {
    while (!ws.isClosed() && !ws.writeQueueFull() && (pendingReply != null || dropped > 0 || !queue.isEmpty())) {
      if (pendingReply != null) {
        ws.writeTextMessage(pendingReply);
        pendingReply = null;
        continue;
      }
      if (dropped > 0) {
        ws.writeTextMessage(new JsonObject().put("type", "dropped").put("count", dropped).encode());
        dropped = 0;
        continue;
      }
      List<Sample> chunk = new ArrayList<>(Math.min(queue.size(), MAX_FRAME_SAMPLES));
      while (chunk.size() < MAX_FRAME_SAMPLES && !queue.isEmpty()) {
        chunk.add(queue.pollFirst());
      }
      ws.writeTextMessage(LiveFrames.encode(chunk));
      metrics.websocketSent.increment(chunk.size());
    }
    if (pendingReply != null || dropped > 0 || !queue.isEmpty()) {
      if (stalledSince < 0) {
        stalledSince = System.nanoTime();
      }
    } else {
      stalledSince = -1;
    }
  }

  private void onDrain() {
    flush();
    if (readPaused && pendingReply == null && !ws.isClosed()) {
      readPaused = false;
      ws.resume();
    }
  }

  /**
   * The feed's periodic check: closes a socket stalled for {@code stallNanos} or a client silent for
   * {@code silentNanos}; pings a client not heard from for a while, so that its pong shows it reads.
   */
  void check(long now, long stallNanos, long silentNanos) {
    if (ws.isClosed()) {
      return;
    }
    if ((stalledSince >= 0 && now - stalledSince > stallNanos) || now - lastHeard > silentNanos) {
      metrics.websocketClosedSlow.increment();
      ws.close(CLOSE_SLOW_CLIENT, "the client does not read");
      return;
    }
    if (now - lastHeard > silentNanos / 3 && now - lastPing > silentNanos / 3 && !ws.writeQueueFull()) {
      ws.writePing(Buffer.buffer());
      lastPing = now;
    }
  }

  /** A text message from the client: {@code {"type":"subscribe", "gpu", "metric", "hostname"}}. */
  void onMessage(String text) {
    lastHeard = System.nanoTime();
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException e) {
      error("expected a JSON object such as {\"type\":\"subscribe\",\"metric\":\"DCGM_FI_DEV_GPU_UTIL\"}");
      return;
    }
    if (!"subscribe".equals(message.getValue("type"))) {
      error("unknown message type '" + ApiException.clip(message.getValue("type")) + "' (known: subscribe)");
      return;
    }
    try {
      subscribe(LiveFilter.fromMessage(message));
    } catch (ApiException e) {
      error(e.getMessage());
    }
  }

  /** Replaces the filter; queued samples that no longer match are discarded. */
  void subscribe(LiveFilter next) {
    filter = next;
    queue.removeIf(s -> !next.matches(s));
    reply(subscribed(next));
  }

  static JsonObject subscribed(LiveFilter f) {
    return new JsonObject().put("type", "subscribed").mergeIn(f.toJson());
  }

  private void error(String message) {
    reply(new JsonObject().put("type", "error").put("error", message));
  }

  /** Writes a reply now if the socket takes it; else holds it and stops reading until it is written. */
  void reply(JsonObject message) {
    if (ws.isClosed()) {
      return;
    }
    if (pendingReply == null && !ws.writeQueueFull()) {
      ws.writeTextMessage(message.encode());
      return;
    }
    pendingReply = message.encode();
    if (!readPaused) {
      readPaused = true;
      ws.pause();
    }
    flush();
  }
}
