package org.gputelemetry.pipeline.store;

import java.util.Locale;

/** How the samples of one bucket become one value. */
public enum Aggregation {
  AVG, MIN, MAX, SUM, COUNT, LAST;

  /** The name the API uses: {@code avg}, {@code min}, ... */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A bucket's value from its running totals (the one place both stores compute it). */
  public double of(long count, double sum, double min, double max, double last) {
    return switch (this) {
      case AVG -> sum / count;
      case MIN -> min;
      case MAX -> max;
      case SUM -> sum;
      case COUNT -> count;
      case LAST -> last;
    };
  }

  /** The aggregation named {@code text} as the API writes it, or null. */
  public static Aggregation fromApiName(String text) {
    for (Aggregation a : values()) {
      if (a.apiName().equals(text)) {
        return a;
      }
    }
    return null;
  }
}
