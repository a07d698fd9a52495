package org.gputelemetry.pipeline.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.gputelemetry.pipeline.config.OpsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ops HTTP server of a process without the gateway role: {@code /health}, {@code /ready} and
 * {@code /metrics} on {@code ops.port}, where Kubernetes probes and Prometheus scrapes streamer
 * and collector pods. Serves nothing else.
 */
public final class OpsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OpsVerticle.class);

  private final OpsSettings settings;
  private final OpsEndpoints endpoints;
  private HttpServer server;

  public OpsVerticle(OpsSettings settings, OpsEndpoints endpoints) {
    this.settings = settings;
    this.endpoints = endpoints;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    endpoints.mount(router);
    return vertx.createHttpServer().requestHandler(router).listen(settings.port(), settings.host())
        .onSuccess(s -> {
          server = s;
          LOG.info("Ops endpoints (/health, /ready, /metrics) on http://{}:{}", settings.host(), s.actualPort());
        });
  }

  /** The port actually bound (differs from the setting when that is 0). */
  public int port() {
    return server.actualPort();
  }
}
