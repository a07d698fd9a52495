package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.ops.OpsEndpoints;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway role: one HTTP(S) server for the REST API, the WebSocket live feed, the OpenAPI
 * document with Swagger UI, the live dashboard, and the ops endpoints ({@code /health},
 * {@code /ready}, {@code /metrics}). Routes come from {@link GatewayRoutes}; CORS, TLS and
 * bearer-token authentication (on {@code /api/*} and {@code /ws/*} only, so probes and scrapers
 * keep working) are switched on by {@link GatewaySettings}.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** Where the dashboard's files are, on the classpath. */
  static final String WEBROOT = "webroot";

  private final GatewaySettings settings;
  private final TelemetryStore store;
  private final PipelineMetrics metrics;
  private final OpsEndpoints ops;
  private LiveFeed feed;
  private Router router;
  private List<ApiRoute> routes;
  private HttpServer server;

  public GatewayVerticle(GatewaySettings settings, TelemetryStore store, PipelineMetrics metrics, OpsEndpoints ops) {
    this.settings = settings;
    this.store = store;
    this.metrics = metrics;
    this.ops = ops;
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    if (!settings.corsAllowedOrigins().isEmpty()) {
      router.route().setName("cors").handler(cors());
    }
    feed = new LiveFeed(vertx, settings.websocketQueueSize(), metrics);
    ApiDocs docs = new ApiDocs();
    StaticHandler webroot = StaticHandler.create(WEBROOT).setCachingEnabled(false);
    routes = GatewayRoutes.table(new TelemetryApi(store), ops, feed, docs, webroot);
    docs.publish(OpenApiDocument.build(routes, settings));
    Handler<RoutingContext> restAuth = null;
    Handler<RoutingContext> wsAuth = null;
    if (settings.auth().enabled()) {
      restAuth = new TokenAuthHandler(settings.auth().tokens(), false);
      wsAuth = new TokenAuthHandler(settings.auth().tokens(), true);
    }
    for (ApiRoute r : routes) {
      r.mount(router, r.path().startsWith("/ws/") ? wsAuth : restAuth);
    }
    router.get("/docs/*").setName("assets /docs/*").handler(docs.assets());
    router.get("/*").setName("assets /*").handler(webroot);
    router.route().setName("failures").failureHandler(ctx -> TelemetryApi.fail(ctx, ctx.failure() == null
        ? new ApiException(ctx.statusCode(), "request failed") : ctx.failure()));
    // a path Vert.x Web cannot decode (a bad %-escape, e.g. in a GPU id) fails before any route matches
    router.errorHandler(400, ctx -> TelemetryApi.fail(ctx, new ApiException(400,
        "malformed percent-encoding in the request path '" + ctx.request().path() + "'")));
    HttpServerOptions options = new HttpServerOptions();
    if (settings.tls().enabled()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tls().certPath()).setKeyPath(settings.tls().keyPath()));
    }
    return feed.start()
        .compose(v -> vertx.createHttpServer(options).requestHandler(router).listen(settings.port(), settings.host()))
        .onSuccess(s -> {
          server = s;
          LOG.info("Gateway listening on {}://{}:{} (dashboard /, API /api/v1, docs /docs, live {}, auth {}, CORS {})",
              settings.scheme(), settings.host(), s.actualPort(), LiveFeed.PATH,
              settings.auth().enabled() ? "on" : "off", settings.corsAllowedOrigins().isEmpty() ? "off" : "on");
        });
  }

  private CorsHandler cors() {
    List<String> origins = settings.corsAllowedOrigins();
    CorsHandler cors = origins.contains("*") ? CorsHandler.create() : CorsHandler.create().addOrigins(origins);
    Set<HttpMethod> methods = settings.corsAllowedMethods().stream().map(HttpMethod::valueOf).collect(Collectors.toSet());
    return cors.allowedMethods(methods).allowedHeader("Authorization").allowedHeader("Content-Type");
  }

  @Override
  public Future<?> stop() {
    return feed == null ? Future.succeededFuture() : feed.stop();
  }

  /** The port actually bound (differs from the setting when that is 0). */
  public int port() {
    return server.actualPort();
  }

  /** The router (tests compare its routes with the OpenAPI document). */
  public Router router() {
    return router;
  }

  /** The route table the router and the document were built from. */
  public List<ApiRoute> routes() {
    return routes;
  }

  /** The live feed (connection count for tests and benchmarks). */
  public LiveFeed feed() {
    return feed;
  }

  /** The OpenAPI document this gateway serves. */
  public JsonObject openApi() {
    return OpenApiDocument.build(routes, settings);
  }
}
