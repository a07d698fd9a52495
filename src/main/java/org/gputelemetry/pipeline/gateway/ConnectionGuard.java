package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.Shareable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.ops.OpsEndpoints;
import org.gputelemetry.pipeline.ops.PipelineMetrics;

/**
 * Bounds what clients can hold of the gateway: open connections and the time a connection may
 * take to send its request headers.
 *
 * <ul>
 *   <li>A new connection must complete its first request's headers within
 *       {@code gateway.headerTimeout}; a kept-alive one its next request's within
 *       {@code idleTimeout + headerTimeout} of the previous request (slowloris clients that drip a
 *       byte at a time defeat the idle timeout, not this). Counted, then closed.</li>
 *   <li>At most {@code gateway.maxConnections} connections are served. Past that, a few more
 *       ({@value #PROBE_HEADROOM}) are kept for probes and scrapes only: {@code /health},
 *       {@code /ready} and {@code /metrics} are answered on them (then closed), any other request
 *       gets a 503; beyond the headroom a connection is closed at once. Refusals are counted.</li>
 * </ul>
 *
 * <p>Servers sharing one listening port (the gateway's instances) share one count. Each connection's
 * state is confined to its event loop; the count is atomic.
 */
final class ConnectionGuard {

  /** Connections past the cap kept for health probes and metric scrapes. */
  static final int PROBE_HEADROOM = 16;
  private static final Set<String> PROBES = Set.of(OpsEndpoints.HEALTH, OpsEndpoints.READY, OpsEndpoints.METRICS);

  private final Vertx vertx;
  private final PipelineMetrics metrics;
  private final int max;
  private final long headerTimeoutMs;
  private final long keepAliveTimeoutMs;
  private final AtomicInteger open;
  private final Map<HttpConnection, State> states = new HashMap<>();

  /** A connection's request-header deadline, and whether it is one of the probe-only headroom. */
  private static final class State {
    final boolean probesOnly;
    long timer = -1;
    HttpServerRequest last;

    State(boolean probesOnly) {
      this.probesOnly = probesOnly;
    }
  }

  /** A count shared in the Vert.x instance's local data. */
  private static final class SharedCount extends AtomicInteger implements Shareable {
  }

  ConnectionGuard(Vertx vertx, GatewaySettings settings, PipelineMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.max = settings.effectiveMaxConnections();
    this.headerTimeoutMs = settings.headerTimeout().toMillis();
    this.keepAliveTimeoutMs = settings.idleTimeout().toMillis() + headerTimeoutMs;
    // port 0 means one server on a port of its own: nothing to share
    this.open = settings.port() == 0 ? new AtomicInteger() : vertx.sharedData()
        .<String, SharedCount>getLocalMap("gateway.connections")
        .computeIfAbsent(settings.host() + ":" + settings.port(), k -> new SharedCount());
  }

  /** The server's connection handler. */
  void onConnection(HttpConnection conn) {
    int now = open.incrementAndGet();
    conn.closeHandler(v -> {
      open.decrementAndGet();
      State s = states.remove(conn);
      if (s != null && s.timer >= 0) {
        vertx.cancelTimer(s.timer);
      }
    });
    if (now > max + PROBE_HEADROOM) {
      metrics.gatewayConnectionsRefused.increment();
      conn.close();
      return;
    }
    State state = new State(now > max);
    states.put(conn, state);
    arm(conn, state, headerTimeoutMs);
  }

  private void arm(HttpConnection conn, State state, long delayMs) {
    state.timer = vertx.setTimer(delayMs, id -> {
      state.timer = -1;
      if (state.last != null && !state.last.response().ended() && !state.last.response().closed()) {
        // still answering the previous request (a large response to a slow reader): not idle
        arm(conn, state, delayMs);
      } else if (states.containsKey(conn)) {
        metrics.gatewayHeaderTimeouts.increment();
        conn.close();
      }
    });
  }

  /**
   * Wraps the server's request handler: the request's headers are in, so the header deadline is
   * lifted; a probe-only connection gets its probe answered or a 503, then is closed.
   */
  Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
    return req -> {
      HttpConnection conn = req.connection();
      State state = states.get(conn);
      if (state != null) {
        if (state.timer >= 0) {
          vertx.cancelTimer(state.timer);
          state.timer = -1;
        }
        state.last = req;
        if (state.probesOnly) {
          req.response().putHeader("Connection", "close");
          if (!PROBES.contains(req.path())) {
            metrics.gatewayConnectionsRefused.increment();
            TelemetryApi.error(req.response(), 503, "too many connections (gateway.maxConnections is " + max
                + "); only /health, /ready and /metrics are answered until some close");
            return;
          }
        } else if (req.canUpgradeToWebSocket()) {
          // a WebSocket lives under the idle timeout alone from here
          states.remove(conn);
        } else {
          // the next request on this connection must be in before the keep-alive deadline
          arm(conn, state, keepAliveTimeoutMs);
        }
      }
      next.handle(req);
    };
  }

  /** Connections open now on this port. */
  int open() {
    return open.get();
  }
}
