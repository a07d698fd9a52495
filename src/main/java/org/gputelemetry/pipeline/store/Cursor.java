package org.gputelemetry.pipeline.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A position in one GPU's (timestamp, metric) order: the last sample a page returned. Opaque to
 * clients (URL-safe base64); the same for every store, so pages can be resumed anywhere.
 */
public record Cursor(long timestampMicros, String metric) {

  /** Whether (micros, metricName) comes strictly after this position. */
  public boolean isBefore(long micros, String metricName) {
    return micros > timestampMicros || (micros == timestampMicros && metricName.compareTo(metric) > 0);
  }

  /** Whether (micros, metricName) comes strictly before this position (the next page of a newest-first query). */
  public boolean isAfter(long micros, String metricName) {
    return micros < timestampMicros || (micros == timestampMicros && metricName.compareTo(metric) < 0);
  }

  public String encode() {
    String plain = timestampMicros + ":" + metric;
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
      return new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cursor returned by this API: '" + text + "'");
    }
  }
}
