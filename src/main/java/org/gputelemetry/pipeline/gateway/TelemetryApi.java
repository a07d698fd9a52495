package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/v1}: the GPU catalogue, hosts, metric names and one GPU's
 * telemetry. Client mistakes get a 400 naming the parameter, an unknown GPU a 404, and a store
 * that cannot answer a 503; never a 500 for client input. Handlers run on the event loop and
 * only wait on the store's futures.
 */
public final class TelemetryApi {

  private static final Logger LOG = LoggerFactory.getLogger(TelemetryApi.class);
  public static final String BASE = "/api/v1";

  private final TelemetryStore store;

  public TelemetryApi(TelemetryStore store) {
    this.store = store;
  }

  public void mount(Router router) {
    router.get(BASE + "/gpus").handler(ctx -> respond(ctx,
        store.gpus(TelemetryQueryParams.blankToNull(ctx.request().getParam("hostname"))).map(ApiJson::gpus)));
    // GPU ids may hold '/' (MIG: MIG-GPU-.../1/0), encoded as %2F or not, hence regex routes
    router.getWithRegex(BASE + "/gpus/(?<uuid>.+)/telemetry").handler(this::telemetry);
    router.getWithRegex(BASE + "/gpus/(?<uuid>.+)").handler(this::gpu);
    router.get(BASE + "/metrics").handler(ctx -> respond(ctx,
        store.metrics().map(names -> new JsonObject().put("metrics", new JsonArray(names)))));
    router.get(BASE + "/hosts").handler(ctx -> respond(ctx, store.hosts().map(ApiJson::hosts)));
  }

  private void gpu(RoutingContext ctx) {
    String uuid = uuid(ctx);
    respond(ctx, store.gpu(uuid).map(found -> ApiJson.gpu(found.orElseThrow(() -> notFound(uuid)))));
  }

  private void telemetry(RoutingContext ctx) {
    String uuid = uuid(ctx);
    SampleQuery query = TelemetryQueryParams.sampleQuery(uuid, ctx.queryParams());
    respond(ctx, store.gpu(uuid).compose(found -> {
      if (found.isEmpty()) {
        throw notFound(uuid);
      }
      return store.samples(query);
    }).map(page -> {
      JsonArray samples = new JsonArray();
      page.samples().forEach(s -> samples.add(ApiJson.sample(s)));
      return new JsonObject().put("uuid", uuid).put("count", page.samples().size()).put("samples", samples)
          .put("next_cursor", page.next() == null ? null : page.next().encode());
    }));
  }

  private static String uuid(RoutingContext ctx) {
    String raw = ctx.pathParam("uuid");
    String uuid = TelemetryQueryParams.decodePath(raw == null ? "" : raw);
    if (uuid.isBlank()) {
      throw ApiException.badParameter("uuid", "must not be empty");
    }
    return uuid;
  }

  private static ApiException notFound(String uuid) {
    return new ApiException(404, "no GPU with uuid '" + uuid + "'");
  }

  private static void respond(RoutingContext ctx, Future<JsonObject> body) {
    body.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.json(ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  /** Error responses: the API's own exceptions as they say, anything else as the store being unavailable. */
  public static void fail(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) {
      return;
    }
    int status;
    String message;
    if (failure instanceof ApiException api) {
      status = api.status();
      message = api.getMessage();
    } else {
      status = 503;
      message = "store unavailable: " + failure.getMessage();
      LOG.warn("Query failed: {}", failure.toString());
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(ApiJson.error(message).encode());
  }
}
