package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central side of the Redis bridge: one consumer of the stream's consumer group.
 * <ul>
 *   <li>reads with {@code XREADGROUP} (first its own entries left pending by an earlier run of
 *       the same consumer name, then new ones), holding at most {@code 2 × readCount} entries
 *       unacknowledged: a collector that is full or writing into a stalled store stops reading,
 *       and the entries wait in Redis;</li>
 *   <li>acknowledges an entry only after the collector's store committed its batch, many ids per
 *       {@code XACK};</li>
 *   <li>claims entries another consumer left pending longer than {@code claimIdle}
 *       ({@code XAUTOCLAIM}) and keeps its own held entries fresh ({@code XCLAIM ... JUSTID}, which
 *       does not count as a delivery) so a slow store does not make them look abandoned;</li>
 *   <li>moves an entry delivered {@code maxDeliveries} times, or one that does not decode, to the
 *       dead-letter stream and acknowledges it there, counted by reason;</li>
 *   <li>removes consumers of the group that have held nothing for a long time.</li>
 * </ul>
 * State lives on one Vert.x context.
 */
final class RedisStreamConsumer {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamConsumer.class);
  private static final long BLOCK_MS = 1_000;
  private static final long BUSY_RETRY_MS = 20;
  private static final long FLUSH_MS = 5;
  private static final int FLUSH_IDS = 256;
  private static final long STOPPING_RETRY_MS = 5_000;
  private static final int PRUNE_EVERY_TICKS = 20;

  private final Vertx vertx;
  private final Context context;
  private final RedisLink reader;
  private final RedisLink control;
  private final TransportSettings.Redis redis;
  private final String name;
  private final BatchConsumer consumer;
  private final PipelineMetrics metrics;
  private final CrossClusterLatency latency;
  private final Map<String, SampleBatch> held = new LinkedHashMap<>();
  private final List<String> acks = new ArrayList<>();
  private final long claimIdleMs;
  private final int maxHeld;
  private boolean reading;
  private boolean claiming;
  private boolean flushing;
  private boolean historyDone;
  private String historyFrom = "0";
  private int readFailures;
  private int ackFailures;
  private int ticks;
  private long flushTimer = -1;
  private long claimTimer = -1;
  private long heartbeatTimer = -1;
  private boolean closed;

  RedisStreamConsumer(Vertx vertx, Context context, RedisLink reader, RedisLink control,
                      TransportSettings.Redis redis, String name, BatchConsumer consumer, PipelineMetrics metrics,
                      CrossClusterLatency latency) {
    this.latency = latency;
    this.vertx = vertx;
    this.context = context;
    this.reader = reader;
    this.control = control;
    this.redis = redis;
    this.name = name;
    this.consumer = consumer;
    this.metrics = metrics;
    this.claimIdleMs = redis.claimIdle().toMillis();
    this.maxHeld = 2 * redis.readCount();
  }

  /** Starts reading. Succeeds at once: while Redis is unreachable the loops retry with backoff. */
  Future<Void> start() {
    context.runOnContext(v -> {
      RedisStreamTransport.ensureGroup(control, redis).onComplete(ar -> read());
      claimTimer = vertx.setPeriodic(Math.max(100, claimIdleMs / 2), t -> claim());
      heartbeatTimer = vertx.setPeriodic(Math.max(50, claimIdleMs / 4), t -> heartbeat());
    });
    return Future.succeededFuture();
  }

  private void read() {
    if (closed || reading || held.size() >= maxHeld) {
      return; // a settled entry calls read() again
    }
    reading = true;
    String from = historyDone ? ">" : historyFrom;
    Request req = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(redis.group()).arg(name)
        .arg("COUNT").arg(redis.readCount());
    if (historyDone) {
      req.arg("BLOCK").arg(BLOCK_MS);
    }
    req.arg("STREAMS").arg(redis.stream()).arg(from);
    reader.send(req, historyDone ? BLOCK_MS : 0).onComplete(ar -> {
      reading = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        if (RedisLink.isError(ar.cause(), "NOGROUP")) {
          // the stream or group vanished (Redis restarted without persistence): recreate and go on
          RedisStreamTransport.ensureGroup(control, redis);
        }
        vertx.setTimer(RedisLink.backoffMs(readFailures++), t -> read());
        return;
      }
      readFailures = 0;
      List<RedisReplies.Entry> entries = RedisReplies.readGroup(ar.result());
      if (!historyDone) {
        if (entries.isEmpty()) {
          historyDone = true;
        } else {
          historyFrom = entries.get(entries.size() - 1).id();
          LOG.info("Consumer {} takes up {} entries it held before it restarted", name, entries.size());
        }
      }
      for (RedisReplies.Entry e : entries) {
        if (historyDone) {
          // first deliveries only: an entry taken up after a restart or claimed waited out a failure, not the wire
          latency.received(e.sourceCluster(), e.sentMicros());
        }
        accept(e);
      }
      read();
    });
  }

  private void accept(RedisReplies.Entry entry) {
    if (held.containsKey(entry.id())) {
      return;
    }
    if (entry.payload() == null) {
      ack(entry.id()); // trimmed away while pending: nothing left to write
      return;
    }
    SampleBatch batch;
    try {
      batch = SampleBatchCodec.fromBytes(entry.payload());
    } catch (RuntimeException e) {
      deadLetter(entry.id(), entry.payload(), "undecodable", 1);
      return;
    }
    held.put(entry.id(), batch);
    hand(entry.id(), batch);
  }

  private void hand(String id, SampleBatch batch) {
    consumer.accept(batch).onComplete(ar -> context.runOnContext(v -> settle(id, batch, ar)));
  }

  private void settle(String id, SampleBatch batch, AsyncResult<Void> ar) {
    if (closed) {
      return; // stays pending: this consumer takes it up on restart, or another claims it
    }
    if (ar.succeeded()) {
      held.remove(id);
      ack(id);
      read();
    } else {
      // busy: the collector's buffer is full; otherwise it is stopping. Either way keep the entry.
      long delay = BusyException.isBusy(ar.cause()) ? BUSY_RETRY_MS : STOPPING_RETRY_MS;
      vertx.setTimer(delay, t -> {
        if (!closed && held.containsKey(id)) {
          hand(id, batch);
        }
      });
    }
  }

  private void ack(String id) {
    acks.add(id);
    if (acks.size() >= FLUSH_IDS) {
      flush();
    } else if (flushTimer == -1) {
      flushTimer = vertx.setTimer(FLUSH_MS, t -> {
        flushTimer = -1;
        flush();
      });
    }
  }

  private Future<Void> flush() {
    if (flushing || acks.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = new ArrayList<>(acks);
    acks.clear();
    flushing = true;
    Request xack = Request.cmd(Command.XACK).arg(redis.stream()).arg(redis.group());
    ids.forEach(xack::arg);
    return control.send(xack).<Void>mapEmpty().onComplete(ar -> {
      flushing = false;
      if (ar.succeeded()) {
        ackFailures = 0;
        if (!acks.isEmpty()) {
          flush();
        }
      } else {
        acks.addAll(0, ids); // kept: acknowledged once Redis answers again
        if (!closed) {
          vertx.setTimer(RedisLink.backoffMs(ackFailures++), t -> flush());
        }
      }
    });
  }

  /** Dead-letters over-delivered entries, then claims what dead consumers left behind. */
  private void claim() {
    if (closed || claiming) {
      return;
    }
    claiming = true;
    if (++ticks % PRUNE_EVERY_TICKS == 0) {
      pruneConsumers();
    }
    control.send(Request.cmd(Command.XPENDING).arg(redis.stream()).arg(redis.group())
            .arg("IDLE").arg(claimIdleMs).arg("-").arg("+").arg(100))
        .compose(this::deadLetterOverDelivered)
        .compose(v -> held.size() >= maxHeld ? Future.<Response>succeededFuture(null)
            : control.send(Request.cmd(Command.XAUTOCLAIM).arg(redis.stream()).arg(redis.group()).arg(name)
                .arg(claimIdleMs).arg("0-0").arg("COUNT").arg(redis.readCount())))
        .onComplete(ar -> {
          claiming = false;
          if (ar.succeeded() && ar.result() != null && !closed) {
            List<RedisReplies.Entry> claimed = RedisReplies.autoClaimed(ar.result());
            if (!claimed.isEmpty()) {
              metrics.redisClaimed.increment(claimed.size());
              LOG.info("Consumer {} claimed {} entries left pending over {} ms by another consumer", name,
                  claimed.size(), claimIdleMs);
              claimed.forEach(this::accept);
            }
          }
        });
  }

  private Future<Void> deadLetterOverDelivered(Response pendingReply) {
    Map<String, Long> over = new HashMap<>();
    for (RedisReplies.Pending p : RedisReplies.pending(pendingReply)) {
      if (p.deliveries() >= redis.maxDeliveries() && !held.containsKey(p.id())) {
        over.put(p.id(), p.deliveries());
      }
    }
    if (over.isEmpty()) {
      return Future.succeededFuture();
    }
    Request xclaim = Request.cmd(Command.XCLAIM).arg(redis.stream()).arg(redis.group()).arg(name).arg(claimIdleMs);
    over.keySet().forEach(xclaim::arg);
    return control.send(xclaim).map(reply -> {
      for (RedisReplies.Entry e : RedisReplies.entries(reply)) {
        deadLetter(e.id(), e.payload(), "max_deliveries", over.getOrDefault(e.id(), (long) redis.maxDeliveries()));
      }
      return null;
    });
  }

  private void deadLetter(String id, Buffer payload, String reason, long deliveries) {
    Request xadd = Request.cmd(Command.XADD).arg(redis.deadLetterStream()).arg("MAXLEN").arg("~").arg(redis.maxLen())
        .arg("*").arg(RedisStreamTransport.PAYLOAD_FIELD).arg(payload == null ? Buffer.buffer() : payload)
        .arg("id").arg(id).arg("reason").arg(reason).arg("deliveries").arg(deliveries).arg("consumer").arg(name);
    Request xack = Request.cmd(Command.XACK).arg(redis.stream()).arg(redis.group()).arg(id);
    control.batch(List.of(xadd, xack)).onSuccess(r -> {
      metrics.redisDeadLettered(reason).increment();
      LOG.warn("Entry {} moved to dead-letter stream {} ({}, {} deliveries)", id, redis.deadLetterStream(), reason,
          deliveries);
    });
  }

  /** Resets the idle time of entries this consumer still holds, so no other consumer claims them. */
  private void heartbeat() {
    if (closed || held.isEmpty()) {
      return;
    }
    Request xclaim = Request.cmd(Command.XCLAIM).arg(redis.stream()).arg(redis.group()).arg(name)
        .arg(claimIdleMs / 2);
    held.keySet().forEach(xclaim::arg);
    control.send(xclaim.arg("JUSTID"));
  }

  /** Deletes consumers that hold nothing and were idle ten claim periods (pods that went away). */
  private void pruneConsumers() {
    control.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(redis.stream()).arg(redis.group())).onSuccess(reply -> {
      for (RedisReplies.Consumer c : RedisReplies.consumers(reply)) {
        if (!c.name().equals(name) && c.pending() == 0 && c.idleMs() > 10 * claimIdleMs) {
          control.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(redis.stream()).arg(redis.group()).arg(c.name()));
        }
      }
    });
  }

  /** Stops reading and claiming, and flushes the acknowledgements of what was committed. */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(claimTimer);
      vertx.cancelTimer(heartbeatTimer);
      vertx.cancelTimer(flushTimer);
      flushing = false;
      flush().onComplete(ar -> done.complete());
    });
    return done.future();
  }
}
