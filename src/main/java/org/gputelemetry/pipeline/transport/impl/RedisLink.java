package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One link to Redis with a deadline on every command. A cut network does not reset TCP
 * connections, it goes silent, so a reply that does not come within {@code timeout} marks the link
 * lost and its client (with every pooled connection) is closed; the next command connects afresh.
 * An error reply from Redis ({@code NOGROUP}, {@code OOM}, ...) is a reply: the link stays up.
 * State changes are logged once, not per retry. Confined to the Vert.x context of its owner.
 */
final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  private final Vertx vertx;
  private final RedisOptions options;
  private final long timeoutMs;
  private final String name;
  private Redis client;
  private volatile boolean up;
  private boolean anyOutcome;
  private boolean closed;

  /** @param name what this link is for, in logs ({@code "edge producer"}, {@code "collector reader"}) */
  RedisLink(Vertx vertx, TransportSettings.Redis settings, String name) {
    this.vertx = vertx;
    this.options = options(settings);
    this.timeoutMs = settings.timeout().toMillis();
    this.name = name;
  }

  /** Client options from the descriptor's {@code transport.redis} block (AUTH, database, TLS). */
  static RedisOptions options(TransportSettings.Redis s) {
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, s.timeout().toMillis()))
        .setTcpNoDelay(true)
        .setTcpKeepAlive(true);
    if (s.tlsEnabled()) {
      net.setSsl(true);
      if (s.tlsSkipVerify()) {
        net.setTrustAll(true).setHostnameVerificationAlgorithm("");
      } else {
        net.setHostnameVerificationAlgorithm("HTTPS");
        if (s.tlsCaCert() != null && !s.tlsCaCert().isBlank()) {
          net.setTrustOptions(trust(s.tlsCaCert()));
        }
      }
    }
    String scheme = s.tlsEnabled() ? "rediss" : "redis";
    return new RedisOptions()
        .setConnectionString(scheme + "://" + s.host() + ":" + s.port() + "/" + s.database())
        .setPassword(s.password())
        .setNetClientOptions(net)
        // RESP2 replies are plain arrays for every stream command, on every Redis version we support
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(4)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(65_536);
  }

  /** A CA given as PEM text (a Helm value) or as the path of a PEM file (a mounted secret). */
  private static PemTrustOptions trust(String caCert) {
    return caCert.strip().startsWith("-----BEGIN")
        ? new PemTrustOptions().addCertValue(Buffer.buffer(caCert, StandardCharsets.US_ASCII.name()))
        : new PemTrustOptions().addCertPath(caCert);
  }

  /** Whether the last command got a reply. */
  boolean up() {
    return up;
  }

  Future<Response> send(Request request) {
    return send(request, 0);
  }

  /** Sends with a deadline of {@code timeout + extraMs} (a blocking read waits {@code extraMs} by design). */
  Future<Response> send(Request request, long extraMs) {
    return guarded(c -> c.send(request), extraMs);
  }

  /** Sends the requests pipelined on one connection, in order. */
  Future<List<Response>> batch(List<Request> requests) {
    return guarded(c -> c.batch(requests), 0);
  }

  private <T> Future<T> guarded(Function<Redis, Future<T>> command, long extraMs) {
    if (closed) {
      return Future.failedFuture("Redis link closed");
    }
    if (client == null) {
      client = Redis.createClient(vertx, options);
    }
    Redis used = client;
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs + extraMs, t -> {
      if (result.tryFail(new TimeoutException("no reply from Redis in " + (timeoutMs + extraMs) + " ms"))) {
        lost(used, "no reply in " + (timeoutMs + extraMs) + " ms");
      }
    });
    command.apply(used).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (used != client) {
        // a client already given up (timed out, refused, closed): its late outcome says nothing now
      } else if (ar.succeeded() || (ar.cause() instanceof ErrorType e && !isAuthFailure(e))) {
        reached();
      } else {
        Throwable cause = ar.cause();
        lost(used, cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
      }
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  /** The wait before retry {@code failures + 1}: from 100 ms, doubling, at most 5 s. */
  static long backoffMs(int failures) {
    return Math.min(5_000, 100L << Math.min(failures, 6));
  }

  /** Whether a failure is an error reply from Redis whose message starts with {@code code}. */
  static boolean isError(Throwable failure, String code) {
    return failure instanceof ErrorType e && e.is(code);
  }

  /** A refused password replies too, but leaves the link unusable: count it as lost (and log why). */
  private static boolean isAuthFailure(ErrorType e) {
    return e.is("WRONGPASS") || e.is("NOAUTH") || e.is("NOPERM");
  }

  private void reached() {
    if (!up) {
      up = true;
      if (anyOutcome) {
        LOG.info("Redis {} reachable again at {}", name, options.getEndpoint());
      }
      anyOutcome = true;
    }
  }

  private void lost(Redis used, String why) {
    if (used != client) {
      return;
    }
    client = null;
    used.close();
    if (up || !anyOutcome) {
      LOG.warn("Redis {} unreachable at {} ({}); retrying with backoff", name, options.getEndpoint(), why);
      anyOutcome = true;
    }
    up = false;
  }

  Future<Void> close() {
    closed = true;
    Redis c = client;
    client = null;
    up = false;
    return c == null ? Future.succeededFuture() : c.close();
  }
}
