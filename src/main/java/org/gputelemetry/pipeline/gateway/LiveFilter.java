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

  /** From the upgrade request's query parameters {@code gpu}, {@code metric}, {@code hostname}. */
  public static LiveFilter fromQuery(MultiMap params) {
    return new LiveFilter(TelemetryQueryParams.blankToNull(params.get("gpu")),
        TelemetryQueryParams.blankToNull(params.get("metric")), TelemetryQueryParams.blankToNull(params.get("hostname")));
  }

  /** From a {@code {"type":"subscribe", ...}} message; a key left out matches everything. */
  public static LiveFilter fromMessage(JsonObject message) {
    return new LiveFilter(text(message, "gpu"), text(message, "metric"), text(message, "hostname"));
  }

  private static String text(JsonObject message, String key) {
    Object v = message.getValue(key);
    if (v != null && !(v instanceof String)) {
      throw ApiException.badParameter(key, "expected a string or null, got " + v);
    }
    return TelemetryQueryParams.blankToNull((String) v);
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
