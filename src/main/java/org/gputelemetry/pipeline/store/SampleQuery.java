package org.gputelemetry.pipeline.store;

/**
 * One GPU's samples in an inclusive time window.
 *
 * @param startMicros inclusive lower bound, or {@link Long#MIN_VALUE} for none
 * @param endMicros inclusive upper bound, or {@link Long#MAX_VALUE} for none
 * @param metric only this metric, or {@code null} for all
 * @param limit most samples returned (1..{@link #MAX_LIMIT})
 * @param cursor resume after this position, or {@code null} to start at the window's beginning
 */
public record SampleQuery(String uuid, long startMicros, long endMicros, String metric, int limit, Cursor cursor) {

  public static final int DEFAULT_LIMIT = 1000;
  public static final int MAX_LIMIT = 10_000;

  public SampleQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }

  /** Whether a sample at (micros, metric) lies in the window and after the cursor. */
  public boolean admits(long micros, String metricName) {
    if (micros < startMicros || micros > endMicros) {
      return false;
    }
    if (metric != null && !metric.equals(metricName)) {
      return false;
    }
    return cursor == null || cursor.isBefore(micros, metricName);
  }
}
