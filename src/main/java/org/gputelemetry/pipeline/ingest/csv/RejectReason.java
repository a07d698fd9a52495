package org.gputelemetry.pipeline.ingest.csv;

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
  /** The {@code value} field is empty or not a plain decimal number (hex, {@code 1d}, {@code 1f}...). */
  BAD_VALUE,
  /** The {@code value} field is NaN or infinite. */
  NON_FINITE_VALUE,
  /** The {@code timestamp} field is missing or not RFC 3339 (source-timestamp mode only). */
  BAD_TIMESTAMP,
  /** The timestamp is well formed but outside years 1 to 9999 (source-timestamp mode only). */
  TIMESTAMP_OUT_OF_RANGE,
  /** The line is longer than {@link DcgmCsvReader#MAX_LINE_CHARS}; it was skipped unread. */
  LINE_TOO_LONG,
  /** A quoted field is still open at the end of the line (records never span lines). */
  UNTERMINATED_QUOTE,
  /** The line has more than {@link DcgmCsvReader#MAX_FIELDS} fields. */
  TOO_MANY_FIELDS,
  /** The line holds a NUL character or an unpaired UTF-16 surrogate, which no store can hold. */
  INVALID_TEXT;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The reason in snake_case, e.g. {@code non_finite_value}. */
  public String label() {
    return label;
  }
}
