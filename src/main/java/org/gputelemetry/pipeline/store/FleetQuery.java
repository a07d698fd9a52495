package org.gputelemetry.pipeline.store;

import java.util.Locale;
import java.util.Objects;

/**
 * One metric over many GPUs in an inclusive, bounded time window, downsampled into epoch-aligned
 * buckets of {@code stepMicros} (as {@link BucketQuery}) and grouped per GPU, per host or into one
 * series for the fleet.
 *
 * @param hostname only this host's GPUs, or {@code null} for every host
 */
public record FleetQuery(String metric, String hostname, long startMicros, long endMicros, long stepMicros,
                         Aggregation agg, GroupBy groupBy) {

  /** The most points (series times buckets per series) one answer holds. */
  public static final int MAX_POINTS = 100_000;

  /** What one series stands for. */
  public enum GroupBy {
    GPU, HOSTNAME, FLEET;

    /** The name the API uses: {@code gpu}, {@code hostname}, {@code fleet}. */
    public String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The grouping named {@code text} as the API writes it, or null. */
    public static GroupBy fromApiName(String text) {
      for (GroupBy g : values()) {
        if (g.apiName().equals(text)) {
          return g;
        }
      }
      return null;
    }
  }

  public FleetQuery {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(agg, "agg");
    Objects.requireNonNull(groupBy, "groupBy");
    if (stepMicros < 1 || startMicros > endMicros) {
      throw new IllegalArgumentException("a positive step and a non-empty window are required");
    }
  }
}
