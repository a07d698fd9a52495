package org.gputelemetry.pipeline.streamer.scrape;

/**
 * Why a line of a scrape, or a series in it, was skipped. The rest of the scrape is kept.
 * The first group comes from the parser, the second from the DCGM mapping, the last from the
 * target's series budget ({@link SeriesBudget}).
 */
public enum ScrapeRejectReason {
  LINE_TOO_LONG("line-too-long"),
  BAD_METRIC_NAME("bad-metric-name"),
  BAD_LABEL_SYNTAX("bad-label-syntax"),
  BAD_ESCAPE("bad-escape"),
  TOO_MANY_LABELS("too-many-labels"),
  DUPLICATE_LABEL("duplicate-label"),
  MISSING_VALUE("missing-value"),
  BAD_VALUE("bad-value"),
  BAD_TIMESTAMP("bad-timestamp"),
  TRAILING_CHARACTERS("trailing-characters"),
  BAD_METADATA("bad-metadata"),
  CONTENT_AFTER_EOF("content-after-eof"),
  /** A series without the GPU UUID label (NVSwitch, CPU or the exporter's own metrics). */
  NO_GPU_UUID("no-gpu-uuid"),
  /** NaN or ±Inf: parsed, but the pipeline stores finite values only. */
  NON_FINITE_VALUE("non-finite-value"),
  /** DCGM's "blank" sentinels (no data, not supported, not permitted), which are not measurements. */
  DCGM_BLANK_VALUE("dcgm-blank-value"),
  /** A new series of a target that already has its {@code maxSeriesPerTarget} (label churn, a hostile exporter). */
  SERIES_LIMIT("series-limit");

  private final String label;

  ScrapeRejectReason(String label) {
    this.label = label;
  }

  /** The reason as a metric tag or JSON value. */
  public String label() {
    return label;
  }
}
