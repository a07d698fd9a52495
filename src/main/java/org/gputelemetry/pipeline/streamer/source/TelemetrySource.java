package org.gputelemetry.pipeline.streamer.source;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.jctools.queues.MessagePassingQueue;

/**
 * Where a streamer's samples come from ({@code streamer.source.type}): a replayed CSV, a simulated
 * fleet, or dcgm-exporter endpoints scraped over HTTP. A source puts samples into the streamer's ring,
 * which its batching loop drains; when the ring is full the source waits (backpressure) and drops
 * nothing it has produced. It reports only the GPUs of the streamer's current share, which the
 * membership may change at any time.
 */
public interface TelemetrySource {

  /**
   * What a source is given at start.
   *
   * @param vertx the streamer's Vert.x, for timers and blocking work
   * @param ring where samples go; {@code relaxedOffer} fails while it is full
   * @param share the streamer's share now: whether it owns a GPU, by UUID. Call it again for each
   *              pass or tick, as the membership changes it
   * @param metrics the process's metrics
   */
  record Context(Vertx vertx, MessagePassingQueue<Sample> ring, Supplier<Predicate<String>> share,
                 PipelineMetrics metrics) {
  }

  /** The {@code streamer.source.type} spelling of this source. */
  String type();

  /** Starts producing; completes once it has begun, or fails when the source cannot start. */
  Future<Void> start(Context context);

  /** What the source reads and how, for the streamer's start line (after {@link #start}). */
  String describe();

  /** Whether the source ends by itself (a one-pass replay); a live source never does. */
  boolean finite();

  /** Whether a finite source has produced everything it will. */
  boolean exhausted();

  /** Samples put into the ring so far. */
  long emitted();

  /** Source-specific readiness detail, merged into the streamer's. */
  JsonObject status();

  /** Asks the source to stop producing; returns at once. */
  void stop();

  /** Waits up to {@code millis} for the source's threads to end (after {@link #stop}). */
  void await(long millis) throws InterruptedException;
}
