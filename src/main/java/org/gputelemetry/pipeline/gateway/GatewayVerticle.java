package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.ops.Readiness;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway role: the HTTP server for the REST API, liveness ({@code /health}) and readiness
 * ({@code /ready}, one entry per check, 503 while any fails).
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewaySettings settings;
  private final TelemetryStore store;
  private final Readiness readiness;
  private HttpServer server;

  public GatewayVerticle(GatewaySettings settings, TelemetryStore store, Readiness readiness) {
    this.settings = settings;
    this.store = store;
    this.readiness = readiness;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new TelemetryApi(store).mount(router);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/ready").handler(ctx -> ready().onSuccess(body -> ctx.response()
        .setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
        .putHeader("content-type", "application/json").end(body.encode())));
    router.route().failureHandler(ctx -> TelemetryApi.fail(ctx, ctx.failure() == null
        ? new ApiException(ctx.statusCode(), "request failed") : ctx.failure()));
    return vertx.createHttpServer().requestHandler(router).listen(settings.port(), settings.host())
        .onSuccess(s -> {
          server = s;
          LOG.info("Gateway listening on http://{}:{}", settings.host(), s.actualPort());
        });
  }

  /** The port actually bound (differs from the setting when that is 0). */
  public int port() {
    return server.actualPort();
  }

  private Future<JsonObject> ready() {
    JsonObject checks = new JsonObject();
    List<Future<?>> all = new ArrayList<>();
    for (Map.Entry<String, Supplier<Future<JsonObject>>> e : readiness.checks().entrySet()) {
      Future<JsonObject> f;
      try {
        f = e.getValue().get();
      } catch (RuntimeException ex) {
        f = Future.failedFuture(ex);
      }
      all.add(f.timeout(2, java.util.concurrent.TimeUnit.SECONDS).andThen(ar -> checks.put(e.getKey(), ar.succeeded()
          ? new JsonObject().put("status", "UP").mergeIn(ar.result() == null ? new JsonObject() : ar.result())
          : new JsonObject().put("status", "DOWN").put("error", String.valueOf(ar.cause().getMessage())))));
    }
    return Future.join(all).transform(ar -> Future.succeededFuture(new JsonObject()
        .put("status", ar.succeeded() ? "UP" : "DOWN").put("checks", checks)));
  }
}
