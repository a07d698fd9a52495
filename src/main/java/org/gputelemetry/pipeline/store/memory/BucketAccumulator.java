package org.gputelemetry.pipeline.store.memory;

import org.gputelemetry.pipeline.store.Aggregation;

/** One metric's running aggregate over one bucket, fed point by point or a whole chunk's summary at once. */
final class BucketAccumulator {

  private long count;
  private double sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private long lastTs = Long.MIN_VALUE;
  private double last;

  void add(long ts, double v) {
    count++;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (ts >= lastTs) {
      lastTs = ts;
      last = v;
    }
  }

  /** Adds a whole chunk: its {@code n} points' sum, min and max, and its newest point. */
  void addSummary(long n, double chunkSum, double chunkMin, double chunkMax, long newestTs, double newest) {
    count += n;
    sum += chunkSum;
    min = Math.min(min, chunkMin);
    max = Math.max(max, chunkMax);
    if (newestTs >= lastTs) {
      lastTs = newestTs;
      last = newest;
    }
  }

  long count() {
    return count;
  }

  double value(Aggregation agg) {
    return agg.of(count, sum, min, max, last);
  }
}
