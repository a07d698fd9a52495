package org.gputelemetry.pipeline.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * keep working) are switched on by {@link GatewaySettings}. Every error is the API's JSON
 * ({@code {"error": "..."}}), from the router's 404 and 405 to Netty's 414 and 431; connections
 * are bounded in number and time ({@link ConnectionGuard}), WebSocket messages from clients in size.
 * CSV uploads ({@link UploadApi}) are mounted when the process gives the gateway its {@link CsvUploads}.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** Where the dashboard's files are, on the classpath. */
  static final String WEBROOT = "webroot";
  /** Largest WebSocket message (and frame) a client may send: control messages are a few hundred bytes. */
  static final int MAX_CLIENT_MESSAGE = 8192;
  /** Router entries in front of the route table: request-text checks and the live feed's origin check. */
  static final String CHECKS = "request checks";
  static final String ORIGIN_CHECK = "origin " + LiveFeed.PATH;

  private final GatewaySettings settings;
  private final TelemetryStore store;
  private final PipelineMetrics metrics;
  private final OpsEndpoints ops;
  private LiveFeed feed;
  private Router router;
  private List<ApiRoute> routes;
  private HttpServer server;
  private ConnectionGuard guard;
  private final CsvUploads uploads;

  /** A gateway without the CSV upload (its routes are not mounted, nor documented). */
  public GatewayVerticle(GatewaySettings settings, TelemetryStore store, PipelineMetrics metrics, OpsEndpoints ops) {
    this(settings, store, metrics, ops, null);
  }

  /**
   * @param uploads the process's CSV uploads (shared by its gateway instances); {@code null} when
   *     {@code gateway.upload.enabled} is false
   */
  public GatewayVerticle(GatewaySettings settings, TelemetryStore store, PipelineMetrics metrics, OpsEndpoints ops,
                         CsvUploads uploads) {
    this.settings = settings;
    this.store = store;
    this.metrics = metrics;
    this.ops = ops;
    this.uploads = uploads;
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    router.route().setName(CHECKS).handler(new RequestText());
    OriginPolicy origins = new OriginPolicy(settings.corsAllowedOrigins(),
        settings.corsAllowedOrigins().isEmpty() ? null : cors());
    if (!settings.corsAllowedOrigins().isEmpty()) {
      router.route().setName("cors").handler(origins.rest());
    }
    if (settings.websocketEnabled()) {
      router.route(LiveFeed.PATH).setName(ORIGIN_CHECK).handler(origins.websocket());
    }
    feed = new LiveFeed(vertx, settings.websocketQueueSize(), settings.idleTimeout(), metrics);
    ApiDocs docs = new ApiDocs();
    StaticHandler webroot = StaticHandler.create(WEBROOT).setCachingEnabled(false);
    TargetsApi targets = new TargetsApi(vertx);
    targets.start();
    List<ApiRoute> uploadRoutes = uploads == null ? List.of() : new UploadApi(vertx, uploads).routes(uploads.settings());
    routes = GatewayRoutes.table(new TelemetryApi(store, settings.staleAfter()), targets, uploadRoutes, ops, feed, docs, webroot).stream()
        // gateway.websocket.enabled false: the live feed is not mounted (nor documented), so 404
        .filter(r -> settings.websocketEnabled() || !r.path().startsWith("/ws/")).toList();
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
    if (settings.graphqlEnabled()) {
      GraphqlEndpoint.mount(vertx, router, new TelemetryApi(store, settings.staleAfter()), settings.websocketQueueSize(), restAuth, wsAuth);
    }
    router.get("/docs/*").setName("assets /docs/*").handler(docs.assets());
    router.get("/*").setName("assets /*").handler(webroot);
    router.route().setName("failures").failureHandler(GatewayVerticle::failure);
    // a path Vert.x Web cannot decode (a bad %-escape, e.g. in a GPU id) fails before any route matches
    router.errorHandler(400, ctx -> TelemetryApi.error(ctx.response(), 400,
        "malformed percent-encoding in the request path '" + ApiException.clip(ctx.request().path()) + "'"));
    router.errorHandler(404, ctx -> TelemetryApi.error(ctx.response(), 404,
        "no such resource: " + ApiException.clip(ctx.request().path()) + " (the API is described at /openapi.json)"));
    // the dashboard's catch-all GET route makes the router answer 405 to any other method on any
    // path: only a path that is one of ours is a 405, any other is no resource
    List<Pattern> resources = new ArrayList<>(routes.stream().map(ApiRoute::pathPattern).toList());
    if (settings.graphqlEnabled()) {
      resources.add(Pattern.compile(Pattern.quote(GraphqlEndpoint.PATH)));
    }
    router.errorHandler(405, ctx -> {
      String path = ctx.request().path();
      if (path != null && resources.stream().noneMatch(p -> p.matcher(path).matches())) {
        TelemetryApi.error(ctx.response(), 404, "no such resource: " + ApiException.clip(path)
            + " (the API is described at /openapi.json)");
      } else {
        TelemetryApi.error(ctx.response(), 405,
            "method " + ctx.request().method() + " is not allowed on " + ApiException.clip(path));
      }
    });
    HttpServerOptions options = new HttpServerOptions()
        .setIdleTimeout((int) settings.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxWebSocketFrameSize(MAX_CLIENT_MESSAGE).setMaxWebSocketMessageSize(MAX_CLIENT_MESSAGE)
        // no h2c sniffing: it waits for a client's first bytes before the connection is known
        // (and timed), and the gateway serves HTTP/1.1 only
        .setHttp2ClearTextEnabled(false);
    if (settings.graphqlEnabled()) {
      options.setWebSocketSubProtocols(List.of(GraphqlEndpoint.WS_SUBPROTOCOL));
    }
    if (settings.tls().enabled()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tls().certPath()).setKeyPath(settings.tls().keyPath()));
    }
    guard = new ConnectionGuard(vertx, settings, metrics);
    return feed.start()
        .compose(v -> vertx.createHttpServer(options)
            .connectionHandler(guard::onConnection)
            .invalidRequestHandler(GatewayVerticle::invalidRequest)
            .requestHandler(guard.requests(router))
            .listen(settings.port(), settings.host()))
        .onSuccess(s -> {
          server = s;
          LOG.info("Gateway listening on {}://{}:{} (dashboard /, API /api/v1, docs /docs, live {}, auth {}, CORS {}, "
                  + "at most {} connections)",
              settings.scheme(), settings.host(), s.actualPort(), LiveFeed.PATH,
              settings.auth().enabled() ? "on" : "off", settings.corsAllowedOrigins().isEmpty() ? "off" : "on",
              settings.effectiveMaxConnections());
          if (OPEN_WARNED_PORTS.add(s.actualPort())) { // once per port, not once per instance sharing it
            openApiWarning(settings, s.actualPort()).ifPresent(LOG::warn);
          }
        });
  }

  /** Ports the open-API warning was logged for in this process: the instances sharing one log it once. */
  private static final java.util.Set<Integer> OPEN_WARNED_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The loud line for an API anyone on the network can read: authentication off and bound to more
   * than loopback (the jar's own default, kept so {@code docker run -p} and the demo work as shown).
   */
  static java.util.Optional<String> openApiWarning(GatewaySettings settings, int port) {
    String host = settings.host();
    boolean loopbackOnly = host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
        || host.equals("[::1]");
    if (settings.auth().enabled() || loopbackOnly) {
      return java.util.Optional.empty();
    }
    String where = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? "on ALL interfaces" : "on " + host;
    return java.util.Optional.of("THE API IS OPEN: no authentication, listening " + where + " port " + port
        + ": anyone who reaches it reads all telemetry. Set gateway.auth.tokenFile (GATEWAY_AUTH_TOKEN_FILE) to "
        + "require a token, or gateway.host=127.0.0.1 (GATEWAY_HOST) to keep it on this machine.");
  }

  /**
   * The router's failure handler: the API's exceptions as they say, a 4xx a handler failed with
   * (e.g. a body too large) as that status, anything else as our fault (500, logged).
   */
  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    if (failure instanceof ApiException api) {
      TelemetryApi.error(ctx.response(), api.status(), api.getMessage());
    } else if (status >= 400 && status < 500) {
      TelemetryApi.error(ctx.response(), status, HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT));
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ApiException.clip(ctx.request().path()), failure);
      TelemetryApi.error(ctx.response(), 500, "internal error");
    }
  }

  /**
   * A request Netty could not decode (request line or headers too long, garbage): the same statuses
   * as Vert.x's default handler (414, 431, else 400), with the API's JSON body, then the connection
   * is closed because its stream can no longer be trusted.
   */
  private static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request line too long (the URI is limited to " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
          + " bytes)";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request headers too large (limited to " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes)";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    req.response().putHeader("Connection", "close");
    TelemetryApi.error(req.response(), status, message);
    req.connection().close();
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

  /** Connections open now on the gateway's port (all its instances). */
  public int connections() {
    return guard.open();
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
