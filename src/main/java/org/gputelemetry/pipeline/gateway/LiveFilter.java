package org.gputelemetry.pipeline.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.gputelemetry.pipeline.model.Sample;

/**
 * What one live-feed connection wants: samples of one GPU, one metric and/or one host; a
 * {@code null} field matches everything. Immutable; equal filters share encoded frames.
 */
public record LiveFilter(String gpu, String metric, String hostname) {

  public static final LiveFilter ALL = new LiveFilter(null, null, null);
  /** Longest filter value: longer than any GPU id, metric or host name. */
  static final int MAX_LENGTH = 256;

  /** From the upgrade request's query parameters {@code gpu}, {@code metric}, {@code hostname}. */
  public static LiveFilter fromQuery(MultiMap params) {
    return new LiveFilter(checked("gpu", params.get("gpu")), checked("metric", params.get("metric")),
        checked("hostname", params.get("hostname")));
  }

  /** From a {@code {"type":"subscribe", ...}} message; a key left out matches everything. */
  public static LiveFilter fromMessage(JsonObject message) {
    return new LiveFilter(text(message, "gpu"), text(message, "metric"), text(message, "hostname"));
  }

  private static String text(JsonObject message, String key) {
    Object v = message.getValue(key);
    if (v != null && !(v instanceof String)) {
      throw ApiException.badParameter(key, "expected a string or null, got " + ApiException.clip(v));
    }
    return checked(key, (String) v);
  }

  private static String checked(String key, String v) {
    String value = TelemetryQueryParams.blankToNull(v);
    if (value != null && value.length() > MAX_LENGTH) {
      throw ApiException.badParameter(key, "longer than " + MAX_LENGTH + " characters");
    }
    return value;
  }

  public boolean matches(Sample s) {
    return (gpu == null || gpu.equals(s.gpu().uuid()))
        && (metric == null || metric.equals(s.metric()))
        && (hostname == null || hostname.equals(s.gpu().hostname()));
  }

  public JsonObject toJson() {
    return new JsonObject().put("gpu", gpu).put("metric", metric).put("hostname", hostname);
  }
}
