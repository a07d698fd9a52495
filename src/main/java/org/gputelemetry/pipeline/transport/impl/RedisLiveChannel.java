package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.transport.CommittedListener;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed batches for the live feeds of gateways in other processes, over Redis pub/sub
 * ({@code PUBLISH <stream>:committed}). Fire and forget, like any live view: at most
 * {@value #MAX_IN_FLIGHT} publishes wait for Redis, more are dropped, so a slow Redis never holds
 * up a collector. Subscribers reconnect with backoff and notice a silent link by a
 * periodic {@code PING}. A message is {@code [origin id][commit time][batch]}; a process ignores its own.
 * Confined to its owner's context.
 */
final class RedisLiveChannel {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLiveChannel.class);
  private static final int MAX_IN_FLIGHT = 32;
  private static final long PING_MS = 5_000;

  private final Vertx vertx;
  private final Context context;
  private final TransportSettings.Redis redis;
  private final String origin;
  private final String channel;
  private RedisLink publisher;
  private int inFlight;
  private Redis subscriberClient;
  private RedisConnection subscriber;
  private CommittedListener listener;
  private long pingTimer = -1;
  private int failures;
  private boolean closed;

  RedisLiveChannel(Vertx vertx, Context context, TransportSettings.Redis redis, String origin) {
    this.vertx = vertx;
    this.context = context;
    this.redis = redis;
    this.origin = origin;
    this.channel = redis.stream() + ":committed";
  }

  /** Publishes a committed batch; encodes on the caller's thread. Any thread. */
  void publish(SampleBatch batch, long committedMicros) {
    byte[] id = origin.getBytes(StandardCharsets.UTF_8);
    Buffer message = Buffer.buffer().appendShort((short) id.length).appendBytes(id).appendLong(committedMicros)
        .appendBytes(SampleBatchCodec.toBytes(batch));
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        return;
      }
      if (publisher == null) {
        publisher = new RedisLink(vertx, redis, "live-feed publisher");
      }
      inFlight++;
      publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(message)).onComplete(ar -> inFlight--);
    });
  }

  /** Subscribes; {@code listener} runs on this channel's context. */
  void subscribe(CommittedListener listener) {
    context.runOnContext(v -> {
      this.listener = listener;
      connect();
    });
  }

  private void connect() {
    if (closed) {
      return;
    }
    subscriberClient = Redis.createClient(vertx, RedisLink.options(redis));
    Redis client = subscriberClient;
    client.connect().compose(conn -> {
      subscriber = conn;
      conn.handler(this::onMessage);
      conn.exceptionHandler(e -> reconnect(client, e.getMessage()));
      conn.endHandler(e -> reconnect(client, "connection closed"));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
    }).onComplete(ar -> {
      if (ar.failed()) {
        reconnect(client, ar.cause().getMessage());
        return;
      }
      if (failures > 0) {
        LOG.info("Live feed subscribed to Redis channel {} again", channel);
      }
      failures = 0;
      pingTimer = vertx.setPeriodic(PING_MS, t -> ping(client));
    });
  }

  /** A cut network goes silent: no answer to a PING in time means reconnect. */
  private void ping(Redis client) {
    RedisConnection conn = subscriber;
    if (conn == null || client != subscriberClient) {
      return;
    }
    long deadline = vertx.setTimer(redis.timeout().toMillis(), t -> reconnect(client, "no answer to PING"));
    conn.send(Request.cmd(Command.PING)).onComplete(ar -> vertx.cancelTimer(deadline));
  }

  private void onMessage(Response msg) {
    // RESP2 push: ["message", channel, payload]
    if (msg == null || msg.size() < 3 || !"message".equals(msg.get(0).toString()) || listener == null) {
      return;
    }
    Buffer payload = msg.get(2).toBuffer();
    try {
      int idLength = payload.getShort(0);
      String from = payload.getString(2, 2 + idLength, StandardCharsets.UTF_8.name());
      if (from.equals(origin)) {
        return;
      }
      long committed = payload.getLong(2 + idLength);
      listener.committed(SampleBatchCodec.fromBytes(payload.slice(2 + idLength + 8, payload.length())), committed);
    } catch (RuntimeException e) {
      LOG.debug("Ignoring an undecodable live-feed message on {}: {}", channel, e.getMessage());
    }
  }

  private void reconnect(Redis client, String why) {
    if (client != subscriberClient || closed) {
      return; // that client was already replaced
    }
    if (failures++ == 0) {
      LOG.warn("Live feed lost its Redis subscription to {} ({}); reconnecting with backoff", channel, why);
    }
    vertx.cancelTimer(pingTimer);
    subscriber = null;
    subscriberClient = null;
    client.close();
    vertx.setTimer(RedisLink.backoffMs(failures), t -> connect());
  }

  void close() {
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(pingTimer);
      if (subscriberClient != null) {
        subscriberClient.close();
      }
      if (publisher != null) {
        publisher.close();
      }
    });
  }
}
