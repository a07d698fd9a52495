package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.gputelemetry.pipeline.transport.Addresses;

/**
 * {@code GET /api/v1/targets}: the dcgm-exporter targets the streamers scrape, with their health.
 * Each streamer publishes its targets' status periodically on {@link Addresses#SCRAPE_TARGETS};
 * this keeps the latest entry per target URL until its time-to-live passes (a streamer that
 * stopped, or a target that moved to another streamer and was reported there). On the clustered
 * transport that covers every streamer of the cluster; with the local and redis transports the
 * event bus is this process's own, so only the streamers running here are shown. Runs on the
 * gateway's event loop; at most {@value #MAX_TARGETS} targets are kept.
 */
final class TargetsApi {

  static final String PATH = TelemetryApi.BASE + "/targets";
  static final int MAX_TARGETS = 100_000;

  private record Entry(JsonObject status, String instance, long expiresAtMillis) {
  }

  private final Vertx vertx;
  private final Map<String, Entry> latest = new LinkedHashMap<>();
  private MessageConsumer<JsonObject> consumer;

  TargetsApi(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts listening to the streamers' reports (on the calling verticle's context). */
  void start() {
    consumer = vertx.eventBus().consumer(Addresses.SCRAPE_TARGETS, m -> {
      if (m.body() != null) {
        accept(m.body(), System.currentTimeMillis());
      }
    });
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
  }

  /** One streamer's report: its targets replace what it reported before. */
  void accept(JsonObject report, long nowMillis) {
    String instance = report.getString("instance", "");
    long ttl = Math.max(1_000, report.getLong("ttlMillis", 15_000L));
    JsonArray targets = report.getJsonArray("targets", new JsonArray());
    Map<String, JsonObject> now = new LinkedHashMap<>();
    for (Object o : targets) {
      if (o instanceof JsonObject t && t.getValue("url") instanceof String url) {
        now.put(url, t);
      }
    }
    latest.values().removeIf(e -> e.instance().equals(instance) && !now.containsKey(e.status().getString("url")));
    for (Map.Entry<String, JsonObject> t : now.entrySet()) {
      if (latest.size() >= MAX_TARGETS && !latest.containsKey(t.getKey())) {
        break;
      }
      latest.put(t.getKey(), new Entry(t.getValue(), instance, nowMillis + ttl));
    }
  }

  /** The body of the answer: every unexpired target, sorted by URL. */
  JsonObject json(long nowMillis) {
    Map<String, JsonObject> sorted = new TreeMap<>();
    for (Iterator<Entry> it = latest.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.expiresAtMillis() < nowMillis) {
        it.remove();
      } else {
        sorted.put(e.status().getString("url"), e.status());
      }
    }
    return new JsonObject().put("targets", new JsonArray(new java.util.ArrayList<>(sorted.values())));
  }

  ApiRoute route() {
    return ApiRoute.get(PATH, "listScrapeTargets").secured().tag("ops")
        .summary("dcgm-exporter targets and their health")
        .description("The targets of the streamers running the dcgm-exporter source (streamer.source.type), sorted by "
            + "URL: health up (latest scrape succeeded), down (failed: last_error says why) or unknown (not scraped "
            + "yet), when it was last scraped and how many samples that gave. Streamers report every interval (1 to "
            + "5 s); a target not reported for three periods is dropped. On the clustered transport every streamer "
            + "of the cluster is shown; with the local and redis transports only those of this process.")
        .json(200, "the targets", schema())
        .handler(this::list);
  }

  private void list(RoutingContext ctx) {
    ctx.json(json(System.currentTimeMillis()));
  }

  private static JsonObject schema() {
    JsonObject nullableString = new JsonObject().put("type", new JsonArray().add("string").add("null"));
    JsonObject target = new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("url", ApiSchemas.string())
            .put("hostname", nullableString.copy().put("description", "the configured hostname override, if any"))
            .put("health", ApiSchemas.oneOf("up", "down", "unknown"))
            .put("last_scrape", nullableString.copy().put("description", "RFC 3339; null before the first scrape"))
            .put("last_error", nullableString.copy().put("description", "why the latest scrape failed; null when up"))
            .put("samples", new JsonObject().put("type", "integer").put("description",
                "samples the latest successful scrape gave (0 when down)"))
            .put("rejects", new JsonObject().put("type", "integer"))
            .put("scrape_duration_seconds", new JsonObject().put("type", "number"))
            .put("scrapes", new JsonObject().put("type", "integer"))
            .put("failures", new JsonObject().put("type", "integer"))
            .put("consecutive_failures", new JsonObject().put("type", "integer"))
            .put("streamer", ApiSchemas.string().put("description", "instance id of the streamer scraping it"))
            .put("gpus", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "object")
                .put("properties", new JsonObject().put("uuid", ApiSchemas.string())
                    .put("status", ApiSchemas.oneOf("ok", "stale")).put("last_seen", ApiSchemas.dateTime())))))
        .put("required", new JsonArray().add("url").add("health").add("last_scrape").add("last_error").add("samples"));
    return new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("targets", new JsonObject().put("type", "array").put("items", target)))
        .put("required", new JsonArray().add("targets"));
  }
}
