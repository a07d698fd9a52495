package org.gputelemetry.pipeline.ingest;

import org.gputelemetry.pipeline.model.Timestamps;

/**
 * Wall-clock microseconds without allocating: a wall-clock base plus the monotonic clock's
 * progress, re-based once a second so it follows NTP. Per-row {@code Instant.now()} would
 * allocate an object for each of a million rows a second. One instance per thread.
 */
public final class MicroClock {

  private static final long REBASE_NANOS = 1_000_000_000L;
  private long baseMicros;
  private long baseNanos;
  private long last;

  public MicroClock() {
    rebase();
  }

  private void rebase() {
    baseMicros = Timestamps.nowMicros();
    baseNanos = System.nanoTime();
  }

  /** Current time in microseconds; never goes backwards for this instance. */
  public long nowMicros() {
    long elapsed = System.nanoTime() - baseNanos;
    if (elapsed > REBASE_NANOS) {
      rebase();
      elapsed = 0;
    }
    long now = Math.max(last, baseMicros + elapsed / 1_000);
    last = now;
    return now;
  }
}
