package org.gputelemetry.pipeline.streamer.scrape;

/**
 * What the {@code # HELP}, {@code # TYPE} and {@code # UNIT} lines said about one family.
 *
 * @param help the help text, unescaped, or null
 * @param unit the OpenMetrics unit, or null
 */
public record MetricFamily(String name, MetricType type, String help, String unit) {

  MetricFamily withType(MetricType t) {
    return new MetricFamily(name, t, help, unit);
  }

  MetricFamily withHelp(String h) {
    return new MetricFamily(name, type, h, unit);
  }

  MetricFamily withUnit(String u) {
    return new MetricFamily(name, type, help, u);
  }
}
