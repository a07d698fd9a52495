package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which GPUs are stale (their newest sample older than {@code gateway.staleAfter}), and how many
 * the catalogue holds, recounted every {@link #period}: one catalogue read per period (on
 * PostgreSQL two index probes per GPU), never one per scrape of {@code /metrics}, so the
 * {@code telemetry_gpus_stale} gauge reads a number. Until the first count succeeds, and while the
 * store cannot answer, the gauge keeps the last count (0 at first). One instance per process;
 * thread-safe.
 */
public final class StaleGpus {

  private static final Logger LOG = LoggerFactory.getLogger(StaleGpus.class);
  private static final Duration MIN_PERIOD = Duration.ofSeconds(1);
  private static final Duration MAX_PERIOD = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final TelemetryStore store;
  private final Duration staleAfter;
  private final AtomicBoolean counting = new AtomicBoolean();
  private volatile int count;
  private long timer = -1;

  public StaleGpus(Vertx vertx, TelemetryStore store, Duration staleAfter) {
    this.vertx = vertx;
    this.store = store;
    this.staleAfter = staleAfter;
  }

  /** Whether {@code gpu}'s newest sample is older than {@code staleAfter} at {@code nowMicros}. */
  public static boolean isStale(GpuRecord gpu, long nowMicros, Duration staleAfter) {
    return nowMicros - gpu.lastSeenMicros() > staleAfter.toNanos() / 1_000;
  }

  /** Half of {@code staleAfter}, within 1 s and 30 s: the gauge lags the truth by at most that. */
  static Duration period(Duration staleAfter) {
    Duration half = staleAfter.dividedBy(2);
    return half.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : half.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD : half;
  }

  /** Counts now, then every {@link #period}. */
  public void start() {
    refresh();
    timer = vertx.setPeriodic(period(staleAfter).toMillis(), id -> refresh());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The stale GPUs at the last count. */
  public int count() {
    return count;
  }

  /** Counts again (skipped while a count is under way); completes with the new count, or fails keeping the old. */
  Future<Integer> refresh() {
    if (!counting.compareAndSet(false, true)) {
      return Future.succeededFuture(count);
    }
    return store.gpus(null)
        .map(gpus -> {
          long now = Timestamps.nowMicros();
          int n = 0;
          for (GpuRecord g : gpus) {
            if (isStale(g, now, staleAfter)) {
              n++;
            }
          }
          count = n;
          return n;
        })
        .onFailure(e -> LOG.debug("Counting stale GPUs failed, kept {}: {}", count, e.getMessage()))
        .onComplete(ar -> counting.set(false));
  }
}
