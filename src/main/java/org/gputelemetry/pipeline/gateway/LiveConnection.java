package org.gputelemetry.pipeline.gateway;

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
 * filter. When the socket's write queue is full (the client reads slowly), samples wait in the
 * queue; past {@code capacity} the oldest are dropped, counted, and the client is told how many
 * ({@code {"type":"dropped","count":N}}) before its next frame. Nothing here ever waits: a slow
 * client costs memory bounded by {@code capacity}, never time on the event loop.
 *
 * <p>Confined to the gateway's event loop (the socket's and the feed's consumer's).
 */
final class LiveConnection {

  /** Most samples per message (about 170 KB), within what WebSocket clients accept by default. */
  static final int MAX_FRAME_SAMPLES = 1000;

  private final ServerWebSocket ws;
  private final int capacity;
  private final PipelineMetrics metrics;
  private final ArrayDeque<Sample> queue = new ArrayDeque<>();
  private LiveFilter filter;
  private long dropped;
  private boolean waitingForDrain;

  LiveConnection(ServerWebSocket ws, LiveFilter filter, int capacity, PipelineMetrics metrics) {
    this.ws = ws;
    this.filter = filter;
    this.capacity = capacity;
    this.metrics = metrics;
  }

  LiveFilter filter() {
    return filter;
  }

  /** Hands this connection a committed batch; {@code frames} encodes each filter's frame once per batch. */
  void offer(SampleBatch batch, LiveFrames frames) {
    if (ws.isClosed()) {
      return;
    }
    if (queue.isEmpty() && dropped == 0 && !ws.writeQueueFull()) {
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

  /** Writes what is queued while the socket accepts it; waits for a drain otherwise. */
  private void flush() {
    while (!ws.isClosed() && !ws.writeQueueFull() && (dropped > 0 || !queue.isEmpty())) {
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
    if (!ws.isClosed() && (dropped > 0 || !queue.isEmpty()) && !waitingForDrain) {
      waitingForDrain = true;
      ws.drainHandler(v -> {
        waitingForDrain = false;
        flush();
      });
    }
  }

  /** A text message from the client: {@code {"type":"subscribe", "gpu", "metric", "hostname"}}. */
  void onMessage(String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException e) {
      error("expected a JSON object such as {\"type\":\"subscribe\",\"metric\":\"DCGM_FI_DEV_GPU_UTIL\"}");
      return;
    }
    if (!"subscribe".equals(message.getString("type"))) {
      error("unknown message type '" + message.getValue("type") + "' (known: subscribe)");
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
    ws.writeTextMessage(subscribed(next).encode());
  }

  static JsonObject subscribed(LiveFilter f) {
    return new JsonObject().put("type", "subscribed").mergeIn(f.toJson());
  }

  private void error(String message) {
    ws.writeTextMessage(new JsonObject().put("type", "error").put("error", message).encode());
  }
}
