package org.gputelemetry.pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.TelemetryStore;

/**
 * {@code GET /api/v1/dead-letters}: the newest samples the store refused for their content, with
 * the store's reason and when the collector set them aside, so an operator can see what an edge
 * sends that cannot be kept. Text is returned as it arrived (JSON escapes a NUL byte as
 * {@code \u0000}); the sample's timestamp is given both as RFC 3339 and in microseconds, since
 * the refusal may be that it is out of range. Stateless.
 */
final class DeadLetterApi {

  static final String PATH = TelemetryApi.BASE + "/dead-letters";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final TelemetryStore store;

  DeadLetterApi(TelemetryStore store) {
    this.store = store;
  }

  ApiRoute route() {
    return ApiRoute.get(PATH, "listDeadLetters").secured().tag("ops")
        .summary("Samples the store refused")
        .description("The newest samples the store refused for their content (a NUL byte in a name, a time outside "
            + "what it stores, ...), newest first, with the store's reason. The rest of their batches was stored. "
            + "PostgreSQL keeps the newest 10,000 in the dead_letters table; the memory store refuses nothing. "
            + "telemetry_store_dead_letters_total counts them.")
        .query("limit", "most dead letters returned (default " + DEFAULT_LIMIT + ")",
            ApiSchemas.integer(1, MAX_LIMIT).put("default", DEFAULT_LIMIT))
        .json(200, "the newest dead letters", schema())
        .error(400, "limit is malformed")
        .error(503, "the store cannot answer")
        .handler(this::list);
  }

  private void list(RoutingContext ctx) {
    int limit = limit(ctx.request().getParam("limit"));
    store.deadLetters(limit).map(DeadLetterApi::json).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.json(ar.result());
      } else {
        TelemetryApi.fail(ctx, ar.cause());
      }
    });
  }

  private static int limit(String v) {
    if (v == null || v.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the allowed range
    }
    throw ApiException.badParameter("limit", "expected a whole number from 1 to " + MAX_LIMIT + ", got '"
        + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'");
  }

  static JsonObject json(List<DeadLetter> letters) {
    JsonArray arr = new JsonArray();
    for (DeadLetter d : letters) {
      Sample s = d.sample();
      Gpu g = s.gpu();
      arr.add(new JsonObject()
          .put("received_at", Timestamps.format(d.receivedMicros()))
          .put("reason", d.reason())
          .put("sample", new JsonObject()
              .put("uuid", g.uuid()).put("gpu_index", g.gpuIndex() < 0 ? null : g.gpuIndex())
              .put("device", g.device()).put("model_name", g.modelName()).put("hostname", g.hostname())
              .put("metric", s.metric())
              .put("timestamp", Timestamps.format(s.timestampMicros()))
              .put("timestamp_micros", s.timestampMicros())
              .put("value", Double.isFinite(s.value()) ? (Object) s.value() : Double.toString(s.value()))
              .put("container", s.container()).put("pod", s.pod()).put("namespace", s.namespace())));
    }
    return new JsonObject().put("count", letters.size()).put("dead_letters", arr);
  }

  private static JsonObject schema() {
    JsonObject nullableString = new JsonObject().put("type", new JsonArray().add("string").add("null"));
    JsonObject sample = new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("uuid", ApiSchemas.string())
            .put("gpu_index", new JsonObject().put("type", new JsonArray().add("integer").add("null")))
            .put("device", nullableString).put("model_name", nullableString).put("hostname", nullableString)
            .put("metric", ApiSchemas.string())
            .put("timestamp", ApiSchemas.string().put("description", "RFC 3339 (may be outside four-digit years)"))
            .put("timestamp_micros", new JsonObject().put("type", "integer"))
            .put("value", new JsonObject().put("type", new JsonArray().add("number").add("string")))
            .put("container", nullableString).put("pod", nullableString).put("namespace", nullableString))
        .put("required", new JsonArray().add("uuid").add("metric").add("timestamp").add("timestamp_micros").add("value"));
    JsonObject letter = new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("received_at", ApiSchemas.dateTime())
            .put("reason", ApiSchemas.string().put("description", "what the store said"))
            .put("sample", sample))
        .put("required", new JsonArray().add("received_at").add("reason").add("sample"));
    return new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("count", ApiSchemas.integer(0, MAX_LIMIT))
            .put("dead_letters", new JsonObject().put("type", "array").put("items", letter)))
        .put("required", new JsonArray().add("count").add("dead_letters"));
  }
}
