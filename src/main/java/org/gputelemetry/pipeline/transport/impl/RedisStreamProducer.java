package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;
import org.gputelemetry.pipeline.transport.spool.DiskSpool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge side of the Redis bridge: appends encoded batches to the stream ({@code XADD MAXLEN ~}).
 * While Redis is unreachable, or the collectors are so far behind that trimming would cut entries
 * they have not acknowledged, batches go to the {@link DiskSpool} instead; once Redis takes
 * entries again the spool is replayed in order, and only when it is empty do batches go live
 * again. A batch counts as sent once Redis or the spool holds it. When the spool is full, sends
 * fail as busy and the streamer slows down: nothing spooled is dropped.
 *
 * <p>State lives on one Vert.x context; the spool is touched only by a one-thread worker executor,
 * in order, which mirrors its size into atomics for the context and the gauges.
 */
final class RedisStreamProducer {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamProducer.class);
  private static final int CHUNK_RECORDS = 64;
  private static final long CHUNK_BYTES = 8L << 20;
  private static final long CHECK_MS = 1_000;
  /** Above this share of maxLen unacknowledged, trimming would soon cut unread entries: spool instead. */
  private static final double HIGH_WATER = 0.9;
  private static final double LOW_WATER = 0.8;

  private final Vertx vertx;
  private final Context context;
  private final RedisLink link;
  private final TransportSettings.Redis redis;
  private final TransportSettings.Spool spoolSettings;
  private final PipelineMetrics metrics;
  /** Stamped on every entry with the send time, so the collector can measure the crossing. */
  private final String clusterId;
  private final AtomicLong spooledBytes = new AtomicLong();
  private final AtomicLong spooledBatches = new AtomicLong();
  private final AtomicLong backlog = new AtomicLong();
  private WorkerExecutor io;
  private DiskSpool spool;
  private boolean spooling;
  private boolean backlogFull;
  private boolean draining;
  private int pendingAppends;
  private int failures;
  private long retryTimer = -1;
  private long checkTimer = -1;
  private long replayedSinceSpooling;
  private long addedSinceCheck;
  private boolean closed;

  RedisStreamProducer(Vertx vertx, Context context, RedisLink link, TransportSettings.Redis redis,
                      TransportSettings.Spool spool, PipelineMetrics metrics, String clusterId) {
    this.clusterId = clusterId;
    this.vertx = vertx;
    this.context = context;
    this.link = link;
    this.redis = redis;
    this.spoolSettings = spool;
    this.metrics = metrics;
  }

  /** Opens the spool (replaying first what an earlier run left) and starts watching the stream's backlog. */
  Future<Void> start() {
    io = vertx.createSharedWorkerExecutor("edge-spool-" + System.identityHashCode(this), 1);
    metrics.spool(spooledBytes::get, spooledBatches::get);
    metrics.redisBacklog(backlog::get);
    DiskSpool.Fsync fsync = DiskSpool.Fsync.valueOf(spoolSettings.fsync().name());
    return io.executeBlocking(() -> {
          DiskSpool s = DiskSpool.open(Path.of(spoolSettings.dir()), spoolSettings.maxBytes(),
              spoolSettings.segmentBytes(), fsync);
          observe(s);
          return s;
        }, true)
        .recover(e -> Future.failedFuture(new ConfigException("transport.spool.dir",
            "cannot open the edge spool in " + Path.of(spoolSettings.dir()).toAbsolutePath() + ": " + e)))
        .onSuccess(s -> {
          spool = s;
          spooling = spooledBatches.get() > 0;
          checkBacklog();
          checkTimer = vertx.setPeriodic(CHECK_MS, t -> {
            if (link.up() || !spooling) {
              checkBacklog(); // while Redis is away the replay attempts notice its return
            }
            if (fsync == DiskSpool.Fsync.INTERVAL) {
              io.executeBlocking(() -> {
                spool.sync();
                return null;
              }, true);
            }
          });
          kick();
        })
        .mapEmpty();
  }

  /** Hands one encoded batch over; completes once Redis or the spool holds it. Any thread. */
  Future<Void> send(byte[] payload) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        done.fail("transport closed");
      } else if (spooling) {
        append(payload, done);
      } else {
        link.send(xadd(payload)).onComplete(ar -> {
          if (ar.succeeded()) {
            added(1);
            done.complete();
          } else {
            startSpooling("XADD failed: " + ar.cause().getMessage());
            append(payload, done);
          }
        });
      }
    });
    return done.future();
  }

  private Request xadd(byte[] payload) {
    return Request.cmd(Command.XADD).arg(redis.stream()).arg("MAXLEN").arg("~").arg(redis.maxLen()).arg("*")
        .arg(RedisStreamTransport.PAYLOAD_FIELD).arg(payload)
        .arg(RedisStreamTransport.CLUSTER_FIELD).arg(clusterId)
        .arg(RedisStreamTransport.SENT_FIELD).arg(CrossClusterLatency.nowMicros());
  }

  private void append(byte[] payload, Promise<Void> done) {
    pendingAppends++;
    io.executeBlocking(() -> {
      boolean taken = spool.append(payload);
      observe(spool);
      return taken;
    }, true).onComplete(ar -> {
      pendingAppends--;
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (!ar.result()) {
        done.fail(new BusyException("edge spool full (" + spooledBytes.get() + " of " + spoolSettings.maxBytes() + " bytes)"));
      } else {
        metrics.spoolAppended.increment();
        done.complete();
      }
      kick();
    });
  }

  private void startSpooling(String why) {
    if (!spooling) {
      spooling = true;
      replayedSinceSpooling = 0;
      LOG.warn("Spooling batches to {} ({}); they are replayed in order once Redis takes entries again",
          spoolSettings.dir(), why);
    }
    scheduleRetry();
  }

  /** Replays the spool's head if it should and can now. */
  private void kick() {
    if (closed || !spooling || draining || backlogFull || retryTimer != -1) {
      return;
    }
    draining = true;
    io.executeBlocking(() -> spool.peek(CHUNK_RECORDS, CHUNK_BYTES), true)
        .compose(chunk -> {
          if (chunk.isEmpty()) {
            return Future.succeededFuture(0);
          }
          List<Request> adds = new ArrayList<>(chunk.size());
          chunk.forEach(p -> adds.add(xadd(p)));
          return link.batch(adds).compose(replies -> io.executeBlocking(() -> {
            spool.commit(chunk.size());
            observe(spool);
            return chunk.size();
          }, true));
        })
        .onComplete(ar -> {
          draining = false;
          if (ar.failed()) {
            failures++;
            scheduleRetry();
            return;
          }
          failures = 0;
          int n = ar.result();
          metrics.spoolReplayed.increment(n);
          replayedSinceSpooling += n;
          added(n);
          if (backlogFull) {
            return; // resumed when the collectors catch up
          }
          if (n == 0 && pendingAppends == 0) {
            spooling = false;
            LOG.info("Edge spool drained ({} batches replayed in order); streaming to Redis directly again",
                replayedSinceSpooling);
          } else {
            kick();
          }
        });
  }

  private void scheduleRetry() {
    if (retryTimer != -1 || closed) {
      return;
    }
    long delay = RedisLink.backoffMs(failures);
    retryTimer = vertx.setTimer(delay, t -> {
      retryTimer = -1;
      kick();
    });
  }

  /**
   * {@code XADD MAXLEN ~} trims the oldest entries whether or not the group has read them, so the
   * producer watches the group's backlog (undelivered + unacknowledged entries) and spools instead
   * when it nears {@code maxLen}. Also creates the group at the stream's start if the collectors
   * have not yet, so entries written before they first start are read too.
   */
  private void checkBacklog() {
    link.send(Request.cmd(Command.XINFO).arg("GROUPS").arg(redis.stream())).onComplete(ar -> {
      if (ar.failed()) {
        if (RedisLink.isError(ar.cause(), "ERR")) {
          RedisStreamTransport.ensureGroup(link, redis); // no such stream yet
        }
        return;
      }
      Long depth = RedisReplies.groupBacklog(ar.result(), redis.group());
      if (depth == null) {
        RedisStreamTransport.ensureGroup(link, redis);
        return;
      }
      backlog.set(depth);
      addedSinceCheck = 0;
      if (!backlogFull && depth >= HIGH_WATER * redis.maxLen()) {
        backlogFull(depth);
      } else if (backlogFull && depth <= LOW_WATER * redis.maxLen()) {
        backlogFull = false;
        LOG.info("Collectors caught up ({} entries unacknowledged): replaying the spool", depth);
        kick();
      }
    });
  }

  /**
   * Counts entries this producer appended since the last backlog check, so a fast producer stops
   * before the next check would tell it to (other producers' entries are seen at the check).
   */
  private void added(int entries) {
    addedSinceCheck += entries;
    long estimate = backlog.get() + addedSinceCheck;
    if (!backlogFull && estimate >= HIGH_WATER * redis.maxLen()) {
      backlogFull(estimate);
    }
  }

  private void backlogFull(long depth) {
    backlogFull = true;
    startSpooling("collectors are behind: about " + depth + " entries unacknowledged of maxLen " + redis.maxLen());
  }

  /** Publishes the spool's size to the gauges; on the spool's thread, which alone touches it. */
  private void observe(DiskSpool s) {
    spooledBytes.set(s.bytes());
    spooledBatches.set(s.records());
  }

  /** Whether batches are going to the spool now. */
  boolean spooling() {
    return spooling;
  }

  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(checkTimer);
      vertx.cancelTimer(retryTimer);
      if (io == null) {
        done.complete();
        return;
      }
      io.executeBlocking(() -> {
        if (spool != null) {
          spool.close();
        }
        return null;
      }, true).eventually(() -> io.close()).onComplete(ar -> done.complete());
    });
    return done.future();
  }
}
