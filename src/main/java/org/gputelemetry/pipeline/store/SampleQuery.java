package org.gputelemetry.pipeline.store;

/**
 * One GPU's samples in an inclusive time window.
 *
 * @param startMicros inclusive lower bound, or {@link Long#MIN_VALUE} for none
 * @param endMicros inclusive upper bound, or {@link Long#MAX_VALUE} for none
 * @param metric only this metric, or {@code null} for all
 * @param limit most samples returned (1..{@link #MAX_LIMIT})
 * @param cursor resume after this position (in the query's order), or {@code null} to start at
 *     the window's beginning (its end when descending)
 * @param descending newest first: (timestamp, metric, labels) order reversed
 */
public record SampleQuery(String uuid, long startMicros, long endMicros, String metric, int limit, Cursor cursor,
                          boolean descending) {

  public static final int DEFAULT_LIMIT = 1000;
  public static final int MAX_LIMIT = 10_000;

  public SampleQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }

  /** Oldest first. */
  public SampleQuery(String uuid, long startMicros, long endMicros, String metric, int limit, Cursor cursor) {
    this(uuid, startMicros, endMicros, metric, limit, cursor, false);
  }

  /**
   * Whether a sample at (micros, metricName) of the label set {@code labelsText} (its canonical
   * text) lies in the window and after the cursor in this query's order.
   */
  public boolean admits(long micros, String metricName, String labelsText) {
    if (micros < startMicros || micros > endMicros) {
      return false;
    }
    if (metric != null && !metric.equals(metricName)) {
      return false;
    }
    if (cursor == null) {
      return true;
    }
    return descending ? cursor.isAfter(micros, metricName, labelsText)
        : cursor.isBefore(micros, metricName, labelsText);
  }
}
