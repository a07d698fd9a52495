package org.gputelemetry.pipeline.gateway;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.Addresses;

/**
 * The WebSocket live feed at {@value #PATH}. One local event-bus consumer of
 * {@link Addresses#COMMITTED} (each batch the collector committed) fans every batch out to the open
 * connections, each with its own filter and bounded queue ({@link LiveConnection}). The collector
 * publishes and forgets, so however slowly clients read, ingest never waits for them.
 *
 * <p>Protocol: the client connects to {@code /ws/telemetry?gpu=&metric=&hostname=} (each filter
 * optional) and first receives {@code {"type":"subscribed", "gpu", "metric", "hostname"}}; then
 * frames that are JSON arrays of samples ({@code uuid} plus the REST sample shape), oldest first,
 * and {@code {"type":"dropped","count":N}} when N samples were dropped because it read too slowly.
 * Sending {@code {"type":"subscribe", "gpu", "metric", "hostname"}} replaces the filter (answered
 * by {@code subscribed}); a bad message is answered by {@code {"type":"error","error":...}}.
 * Client messages are small (the server's WebSocket message limit, {@link GatewayVerticle}); what
 * the server writes to a client is bounded as {@link LiveConnection} says.
 *
 * <p>Confined to the gateway verticle's event loop, except the connection count (the dispatcher's
 * gauge sums it over the gateway's instances).
 */
public final class LiveFeed {

  public static final String PATH = "/ws/telemetry";

  private final Vertx vertx;
  private final int queueSize;
  private final long idleNanos;
  private final PipelineMetrics metrics;
  private final Set<LiveConnection> connections = new LinkedHashSet<>();
  private final AtomicInteger open = new AtomicInteger();
  private MessageConsumer<SampleBatch> consumer;
  private long checks = -1;

  /** @param idleTimeout {@code gateway.idleTimeout}: how long a client may take nothing or say nothing */
  public LiveFeed(Vertx vertx, int queueSize, Duration idleTimeout, PipelineMetrics metrics) {
    this.vertx = vertx;
    this.queueSize = queueSize;
    this.idleNanos = idleTimeout.toNanos();
    this.metrics = metrics;
  }

  /** Starts consuming committed batches; call from the gateway verticle's context. */
  public Future<Void> start() {
    consumer = vertx.eventBus().<SampleBatch>localConsumer(Addresses.COMMITTED, msg -> fanOut(msg.body()));
    long period = Math.max(20, Math.min(5_000, idleNanos / 8_000_000L));
    checks = vertx.setPeriodic(period, id -> {
      long now = System.nanoTime();
      for (LiveConnection c : List.copyOf(connections)) {
        c.check(now, idleNanos / 2, idleNanos);
      }
    });
    return consumer.completion();
  }

  public Future<Void> stop() {
    if (checks >= 0) {
      vertx.cancelTimer(checks);
    }
    List<Future<Void>> closing = new ArrayList<>();
    if (consumer != null) {
      closing.add(consumer.unregister());
    }
    return Future.join(closing).mapEmpty();
  }

  /** Connections open now. */
  public int clients() {
    return open.get();
  }

  private void fanOut(SampleBatch batch) {
    if (connections.isEmpty()) {
      return;
    }
    LiveFrames frames = new LiveFrames(batch);
    for (LiveConnection c : connections) {
      c.offer(batch, frames);
    }
  }

  /** The route handler: upgrades the request and registers the connection. */
  public void handle(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      throw new ApiException(400, "expected a WebSocket upgrade (GET with Upgrade: websocket and Connection: Upgrade)");
    }
    LiveFilter filter = LiveFilter.fromQuery(ctx.queryParams());
    ctx.request().toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        if (!ctx.response().ended()) {
          TelemetryApi.fail(ctx, new ApiException(400, "expected a WebSocket upgrade: " + ar.cause().getMessage()));
        }
        return;
      }
      accept(ar.result(), filter);
    });
  }

  private void accept(ServerWebSocket ws, LiveFilter filter) {
    LiveConnection c = new LiveConnection(ws, filter, queueSize, metrics);
    connections.add(c);
    open.incrementAndGet();
    ws.closeHandler(v -> {
      if (connections.remove(c)) {
        open.decrementAndGet();
      }
    });
    // a frame or message over the limit closes with the decoder's code (1009), anything else with 1011
    ws.exceptionHandler(e -> ws.close(e instanceof CorruptedWebSocketFrameException bad
        ? (short) bad.closeStatus().code() : (short) 1011, ApiException.clip(e.getMessage())));
    ws.textMessageHandler(c::onMessage);
    c.reply(LiveConnection.subscribed(filter));
  }
}
