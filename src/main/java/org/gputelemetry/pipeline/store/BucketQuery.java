package org.gputelemetry.pipeline.store;

/**
 * One GPU's samples in an inclusive, bounded time window, downsampled: one value per metric and
 * bucket, bucket start = timestamp floored to a multiple of {@code stepMicros} since the Unix epoch.
 *
 * @param metric only this metric, or {@code null} for all
 */
public record BucketQuery(String uuid, long startMicros, long endMicros, String metric, long stepMicros,
                          Aggregation agg) {

  /** The most buckets per metric one answer holds. */
  public static final int MAX_BUCKETS = 10_000;

  public BucketQuery {
    if (stepMicros < 1 || startMicros > endMicros) {
      throw new IllegalArgumentException("a positive step and a non-empty window are required");
    }
  }

  /** The start of the bucket {@code micros} falls in. */
  public long bucketOf(long micros) {
    return Math.floorDiv(micros, stepMicros) * stepMicros;
  }

  /** How many buckets the window spans per metric. */
  public static long bucketCount(long startMicros, long endMicros, long stepMicros) {
    return Math.floorDiv(endMicros, stepMicros) - Math.floorDiv(startMicros, stepMicros) + 1;
  }
}
