package org.gputelemetry.pipeline.streamer.scrape;

/**
 * One sample line as the parser read it: name, labels in line order, value, optional timestamp.
 * A mutable view the parser reuses for every line; valid only during
 * {@link SeriesSink#accept}. Label names and values are unescaped strings.
 */
public final class ParsedSeries {

  String name;
  MetricType type = MetricType.UNTYPED;
  final String[] labelNames;
  final String[] labelValues;
  int labelCount;
  double value;
  boolean hasTimestamp;
  long timestampMicros;
  int lineNumber;

  ParsedSeries(int maxLabels) {
    labelNames = new String[maxLabels];
    labelValues = new String[maxLabels];
  }

  public String name() {
    return name;
  }

  /** The family's type from its TYPE line, {@link MetricType#UNTYPED} without one. */
  public MetricType type() {
    return type;
  }

  public int labelCount() {
    return labelCount;
  }

  public String labelName(int i) {
    return labelNames[i];
  }

  public String labelValue(int i) {
    return labelValues[i];
  }

  /** The value of the label named {@code name}, or null. */
  public String label(String labelName) {
    for (int i = 0; i < labelCount; i++) {
      if (labelNames[i].equals(labelName)) {
        return labelValues[i];
      }
    }
    return null;
  }

  /** The value as written; NaN and ±Inf included (the caller decides what to drop). */
  public double value() {
    return value;
  }

  public boolean hasTimestamp() {
    return hasTimestamp;
  }

  /** The exporter's timestamp in microseconds since the epoch; meaningful only if {@link #hasTimestamp()}. */
  public long timestampMicros() {
    return timestampMicros;
  }

  /** 1-based line of the body. */
  public int lineNumber() {
    return lineNumber;
  }
}
