package org.gputelemetry.pipeline.store.memory;

import java.util.concurrent.atomic.LongAdder;

/**
 * The memory store's running totals: the bytes its samples take (as accounted by the series, see
 * {@link MetricSeries#bytes()}), the samples kept and the samples evicted. Thread-safe; each writer
 * adds its own deltas, so the totals never need a lock.
 */
final class Footprint {

  private final LongAdder bytes = new LongAdder();
  private final LongAdder samples = new LongAdder();
  private final LongAdder evicted = new LongAdder();

  void add(long byteDelta, long sampleDelta) {
    if (byteDelta != 0) {
      bytes.add(byteDelta);
    }
    if (sampleDelta != 0) {
      samples.add(sampleDelta);
    }
  }

  void evicted(long n) {
    evicted.add(n);
  }

  long bytes() {
    return bytes.sum();
  }

  long samples() {
    return samples.sum();
  }

  long evicted() {
    return evicted.sum();
  }
}
