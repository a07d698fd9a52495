package org.gputelemetry.pipeline.streamer.scrape;

import java.util.Locale;

/**
 * A family's type from its {@code # TYPE} line. Counters and gauges are both stored as values;
 * the type is carried so a consumer can tell them apart.
 */
public enum MetricType {
  COUNTER, GAUGE, UNTYPED, HISTOGRAM, SUMMARY, INFO, STATESET, GAUGEHISTOGRAM;

  /** The type named in a TYPE line ({@code unknown} is OpenMetrics' {@code untyped}), or null. */
  static MetricType fromText(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "counter" -> COUNTER;
      case "gauge" -> GAUGE;
      case "untyped", "unknown" -> UNTYPED;
      case "histogram" -> HISTOGRAM;
      case "summary" -> SUMMARY;
      case "info" -> INFO;
      case "stateset" -> STATESET;
      case "gaugehistogram" -> GAUGEHISTOGRAM;
      default -> null;
    };
  }
}
