package org.gputelemetry.pipeline.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Optional;

/**
 * The handlers of {@code /health} (liveness), {@code /ready} (readiness, 503 while any check is
 * down) and {@code /metrics} (Prometheus text exposition of the process's registry: Vert.x's own
 * meters when its Micrometer metrics are on, plus the pipeline's). Served by the gateway, or by
 * {@link OpsVerticle} in processes without one. These endpoints never require authentication, so
 * probes and scrapers work when the API is protected. Stateless apart from what it is given.
 */
public final class OpsEndpoints {

  public static final String HEALTH = "/health";
  public static final String READY = "/ready";
  public static final String METRICS = "/metrics";

  private final Readiness readiness;
  private final Handler<RoutingContext> scrape;

  public OpsEndpoints(Readiness readiness, MeterRegistry registry) {
    this.readiness = readiness;
    this.scrape = prometheus(registry).map(PrometheusScrapingHandler::create).orElse(ctx -> ctx.response()
        .setStatusCode(404).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", "no Prometheus registry: Vert.x metrics use another backend").encode()));
  }

  /** The Prometheus registry inside {@code registry} (itself, or a member of a composite). */
  public static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return Optional.of(p);
    }
    if (registry instanceof CompositeMeterRegistry c) {
      return c.getRegistries().stream().map(OpsEndpoints::prometheus).flatMap(Optional::stream).findFirst();
    }
    return Optional.empty();
  }

  /** Mounts the three endpoints on {@code router} (the ops server; the gateway declares them in its route table). */
  public void mount(Router router) {
    router.get(HEALTH).handler(this::health);
    router.get(READY).handler(this::ready);
    router.get(METRICS).handler(this::metrics);
  }

  public void health(RoutingContext ctx) {
    respond(ctx, readiness.live());
  }

  public void ready(RoutingContext ctx) {
    respond(ctx, readiness.ready());
  }

  public void metrics(RoutingContext ctx) {
    scrape.handle(ctx);
  }

  private static void respond(RoutingContext ctx, Future<JsonObject> report) {
    report.onComplete(ar -> {
      JsonObject body = ar.succeeded() ? ar.result()
          : new JsonObject().put("status", "DOWN").put("error", String.valueOf(ar.cause().getMessage()));
      ctx.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
          .putHeader("content-type", "application/json").putHeader("cache-control", "no-store").end(body.encode());
    });
  }
}
