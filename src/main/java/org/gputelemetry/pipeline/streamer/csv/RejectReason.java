package org.gputelemetry.pipeline.streamer.csv;

import java.util.Locale;

/**
 * Why a CSV row was skipped. Each reason has a stable snake_case {@link #label()} used as a
 * metric label, so renaming a constant must keep its label.
 */
public enum RejectReason {
  /** The row ends before the last required column. */
  TOO_FEW_FIELDS,
  /** The {@code uuid} field is empty or blank. */
  MISSING_UUID,
  /** The {@code metric_name} field is empty or blank. */
  MISSING_METRIC,
  /** The {@code value} field is empty or not a number. */
  BAD_VALUE,
  /** The {@code value} field is NaN or infinite. */
  NON_FINITE_VALUE,
  /** The {@code timestamp} field is missing or not RFC 3339 (source-timestamp mode only). */
  BAD_TIMESTAMP,
  /** The CSV parser gave up on the text (for example a field larger than its buffer). */
  MALFORMED;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The reason in snake_case, e.g. {@code non_finite_value}. */
  public String label() {
    return label;
  }
}
