package org.gputelemetry.pipeline.streamer.csv;

import java.util.Locale;

/** Why a CSV row was skipped. {@link #label()} is the Prometheus label value. */
public enum RejectReason {
  TOO_FEW_FIELDS,
  MISSING_UUID,
  MISSING_METRIC,
  BAD_VALUE,
  NON_FINITE_VALUE,
  BAD_TIMESTAMP,
  MALFORMED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
