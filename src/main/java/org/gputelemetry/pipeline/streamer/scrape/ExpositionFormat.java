package org.gputelemetry.pipeline.streamer.scrape;

import java.util.Locale;

/** The two text formats a Prometheus endpoint may answer in, told apart by Content-Type. */
public enum ExpositionFormat {
  /** {@code text/plain; version=0.0.4}: timestamps are integer milliseconds. */
  PROMETHEUS_TEXT,
  /** {@code application/openmetrics-text}: timestamps are seconds with a fraction; {@code # EOF} ends. */
  OPENMETRICS;

  /** What to send as {@code Accept}: the classic text format first, which every dcgm-exporter speaks. */
  public static final String ACCEPT =
      "text/plain;version=0.0.4;q=1.0,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1";

  /** The format of a response with this Content-Type; anything but OpenMetrics is read as text 0.0.4. */
  public static ExpositionFormat fromContentType(String contentType) {
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")) {
      return OPENMETRICS;
    }
    return PROMETHEUS_TEXT;
  }
}
