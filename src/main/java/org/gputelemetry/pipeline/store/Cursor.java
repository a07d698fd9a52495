package org.gputelemetry.pipeline.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A position in one GPU's (timestamp, metric, label set) order: the last sample a page returned.
 * Opaque to clients (URL-safe base64); the same for every store, so pages can be resumed anywhere.
 * The label set is its canonical text ({@link org.gputelemetry.pipeline.model.Labels#canonical},
 * {@code ""} for none), so a page that ends between two label series of one metric at one instant
 * resumes at the next series, not after the instant.
 */
public record Cursor(long timestampMicros, String metric, String labels) {

  /** Ends the metric name in the encoded form; a label set follows (cursors without one have no labels). */
  private static final char LABELS = '\u0000';

  public Cursor {
    Objects.requireNonNull(metric, "metric");
    if (labels == null) {
      labels = "";
    }
  }

  /** A position of a sample without labels. */
  public Cursor(long timestampMicros, String metric) {
    this(timestampMicros, metric, "");
  }

  /** Whether (micros, metricName, labelsText) comes strictly after this position. */
  public boolean isBefore(long micros, String metricName, String labelsText) {
    return micros > timestampMicros || (micros == timestampMicros && compare(metricName, labelsText) > 0);
  }

  /** Whether (micros, metricName, labelsText) comes strictly before this position (the next page of a newest-first query). */
  public boolean isAfter(long micros, String metricName, String labelsText) {
    return micros < timestampMicros || (micros == timestampMicros && compare(metricName, labelsText) < 0);
  }

  private int compare(String metricName, String labelsText) {
    int c = metricName.compareTo(metric);
    return c != 0 ? c : labelsText.compareTo(labels);
  }

  public String encode() {
    String plain = timestampMicros + ":" + metric + (labels.isEmpty() ? "" : LABELS + labels);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws IllegalArgumentException when {@code text} is not a cursor this API produced
   */
  public static Cursor decode(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = plain.indexOf(':');
      if (colon <= 0 || colon == plain.length() - 1) {
        throw new IllegalArgumentException("malformed");
      }
      String rest = plain.substring(colon + 1);
      int mark = rest.indexOf(LABELS);
      String metric = mark < 0 ? rest : rest.substring(0, mark);
      if (metric.isEmpty()) {
        throw new IllegalArgumentException("malformed");
      }
      return new Cursor(Long.parseLong(plain.substring(0, colon)), metric, mark < 0 ? "" : rest.substring(mark + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cursor returned by this API: '" + text + "'");
    }
  }
}
