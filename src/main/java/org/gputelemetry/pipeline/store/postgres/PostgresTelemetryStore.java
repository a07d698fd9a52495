package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.config.StoreSettings;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.RejectedContentException;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production store: PostgreSQL through the Vert.x reactive client. Samples live in a table
 * range-partitioned by day, one narrow row per (gpu, metric, labels, timestamp) keyed by those, so
 * writes are idempotent (a replay or a retried batch leaves one row, the later value winning);
 * GPUs, metric names and Kubernetes placements are catalogue rows referenced by small ids. Each
 * {@link #write} is one transaction. Retention drops whole day partitions. The schema is created
 * and upgraded by versioned migrations at start, safely when several processes start at once.
 * See {@code docs/postgres.md} for the schema and the measured write throughput.
 *
 * <p><b>Outages.</b> {@link #start()} does not give up when PostgreSQL is unreachable: it retries
 * with exponential backoff (250 ms doubling to 30 s, with jitter) and completes once connected,
 * migrated and partitioned; meanwhile {@link #ping()} fails (readiness is false), writes fail
 * and the process stays up. It fails only when the store is closed first or the settings cannot
 * work (a bad TLS combination). Once started, losing PostgreSQL makes operations fail; they
 * succeed again as soon as it is back (the pool opens new connections on demand), so a caller
 * that retries the same batch loses nothing and doubles nothing. The start of an outage and its
 * end are logged once each, not per retry.
 *
 * <p>Maintenance (partitions ahead of time, retention) runs at start and then hourly; compaction
 * of closed hours into {@code sample_chunks} every {@code store.compaction.interval}.
 * Thread-safe: every method may be called from any thread.
 */
public final class PostgresTelemetryStore implements TelemetryStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresTelemetryStore.class);
  private static final long FIRST_RETRY_MS = 250;
  private static final long MAX_RETRY_MS = 30_000;
  static final long MAINTENANCE_PERIOD_MS = Duration.ofHours(1).toMillis();

  private final Vertx vertx;
  private final String target;
  private final Pool pool;
  private final Availability availability;
  private final PartitionMaintainer partitions;
  private final Dictionaries dictionaries;
  private final SampleWriter writer;
  private final SampleReader reader;
  private final PostgresDeadLetters deadLetters;
  private final Compactor compactor;
  private final Duration compactionInterval;

  private final AtomicBoolean compacting = new AtomicBoolean();
  private final Object lock = new Object();
  private Promise<Void> started;
  private volatile boolean ready;
  private volatile boolean closed;
  private long retryTimer = -1;
  private long maintenanceTimer = -1;
  private long compactionTimer = -1;

  public PostgresTelemetryStore(Vertx vertx, StoreSettings settings) {
    this(vertx, settings, InsertMethod.UNNEST);
  }

  /** For benchmarks: the same store writing through another {@link InsertMethod}. */
  public PostgresTelemetryStore(Vertx vertx, StoreSettings settings, InsertMethod method) {
    this.vertx = vertx;
    this.target = settings.host() + ":" + settings.port() + "/" + settings.database();
    this.pool = PgBuilder.pool()
        .with(PgClientOptions.pool(settings))
        .with(PgClientOptions.transport())
        .connectingTo(PgClientOptions.connect(settings))
        .using(vertx)
        .build();
    this.availability = new Availability(target);
    this.partitions = new PartitionMaintainer(pool, settings.retention());
    this.dictionaries = new Dictionaries(pool);
    this.writer = new SampleWriter(pool, dictionaries, partitions, method);
    this.reader = new SampleReader(pool, dictionaries);
    this.deadLetters = new PostgresDeadLetters(pool);
    this.compactor = new Compactor(pool, partitions, settings.compactionAfter());
    this.compactionInterval = settings.compactionInterval();
  }

  /**
   * Connects, migrates the schema and creates the partitions ahead of time, retrying with backoff
   * while PostgreSQL is unreachable or refuses; see the class comment. Calling it again returns
   * the same future.
   */
  @Override
  public Future<Void> start() {
    synchronized (lock) {
      if (started == null) {
        started = Promise.promise();
        attempt(FIRST_RETRY_MS);
      }
      return started.future();
    }
  }

  private void attempt(long nextDelay) {
    if (closed) {
      return;
    }
    Migrations.run(pool)
        .compose(version -> maintain().map(version))
        .onSuccess(version -> {
          synchronized (lock) {
            if (closed) {
              return;
            }
            ready = true;
            maintenanceTimer = vertx.setPeriodic(MAINTENANCE_PERIOD_MS, id -> maintain());
            if (!compactionInterval.isZero()) {
              compactionTimer = vertx.setPeriodic(compactionInterval.toMillis(), id -> compactUnlessRunning());
            }
          }
          availability.succeeded();
          LOG.info("PostgreSQL store ready at {} (schema version {})", target, version);
          started.tryComplete();
        })
        .onFailure(e -> {
          availability.failed(e);
          synchronized (lock) {
            if (closed) {
              return;
            }
            long jittered = (long) (nextDelay * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            retryTimer = vertx.setTimer(jittered, id -> attempt(Math.min(nextDelay * 2, MAX_RETRY_MS)));
          }
        });
  }

  /** One maintenance pass: partitions ahead of time, retention. A failure is logged and retried next period. */
  Future<PartitionMaintainer.Outcome> maintain() {
    return partitions.maintain(Instant.now())
        .onSuccess(o -> {
          if (!o.created().isEmpty() || !o.dropped().isEmpty()) {
            LOG.info("Partitions of samples: created {}, dropped past retention {}", o.created(), o.dropped());
          }
        })
        .onFailure(e -> LOG.warn("Partition maintenance on {} failed, retried in {} min: {}", target,
            MAINTENANCE_PERIOD_MS / 60_000, e.getMessage()));
  }

  /** A timer tick: a pass, unless this store's previous one is still running (a long backlog). */
  private void compactUnlessRunning() {
    if (compacting.compareAndSet(false, true)) {
      compact().onComplete(done -> compacting.set(false));
    }
  }

  /**
   * One compaction pass (see {@link Compactor}) as of now. A failure is logged and the next
   * period tries again; nothing is lost, the raw rows stay until a pass commits.
   */
  Future<Compactor.Outcome> compact() {
    return compactor.compact(Instant.now())
        .onSuccess(o -> {
          if (o.ranges() > 0) {
            LOG.info("Compacted {} samples of {} series-hours into chunks", o.samples(), o.ranges());
          }
        })
        .onFailure(e -> LOG.warn("Compaction on {} failed, retried in {}: {}", target, compactionInterval,
            e.getMessage()));
  }

  /**
   * One compaction pass now, beside the timer's (benchmarks); completes with the number of raw
   * samples moved into chunks, 0 when another process was compacting.
   */
  public Future<Long> compactNow() {
    return guarded(() -> compact().map(Compactor.Outcome::samples));
  }

  /**
   * Upserts {@code samples} in one transaction. Fails, without waiting, while {@link #start()}
   * has not completed; fails while PostgreSQL is unreachable. Retrying the same list is safe.
   * Fails with {@link RejectedContentException} when PostgreSQL refuses what the samples hold
   * (see {@link ContentErrors}); then none of them is stored.
   */
  @Override
  public Future<Void> write(List<Sample> samples) {
    return guarded(() -> writer.write(samples))
        .recover(e -> Future.failedFuture(ContentErrors.isContent(e) ? ContentErrors.rejected(e) : e));
  }

  /** Inserts into {@code dead_letters}, keeping its newest {@link PostgresDeadLetters#KEEP} rows. */
  @Override
  public Future<Void> deadLetter(List<DeadLetter> letters) {
    return guarded(() -> deadLetters.add(letters));
  }

  @Override
  public Future<List<DeadLetter>> deadLetters(int limit) {
    return guarded(() -> deadLetters.newest(limit));
  }

  @Override
  public Future<List<GpuRecord>> gpus(String hostname) {
    return guarded(() -> reader.gpus(hostname));
  }

  @Override
  public Future<Optional<GpuRecord>> gpu(String uuid) {
    return guarded(() -> reader.gpu(uuid));
  }

  @Override
  public Future<List<HostRecord>> hosts() {
    return guarded(reader::hosts);
  }

  @Override
  public Future<List<String>> metrics() {
    return guarded(reader::metrics);
  }

  @Override
  public Future<SamplePage> samples(SampleQuery query) {
    return guarded(() -> reader.samples(query));
  }

  @Override
  public Future<List<Bucket>> buckets(BucketQuery query) {
    return guarded(() -> reader.buckets(query));
  }

  @Override
  public Future<List<Sample>> latest(String uuid) {
    return guarded(() -> reader.latest(uuid));
  }

  @Override
  public Future<List<Sample>> latestOf(String metric, String hostname) {
    return guarded(() -> reader.latestOf(metric, hostname));
  }

  /** {@code SELECT 1}; fails before {@link #start()} has completed and while PostgreSQL is unreachable. */
  @Override
  public Future<Void> ping() {
    return guarded(() -> pool.query("SELECT 1").execute().mapEmpty());
  }

  private <T> Future<T> guarded(Supplier<Future<T>> operation) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("PostgreSQL store at " + target + " is closed"));
    }
    if (!ready) {
      String cause = availability.outageCause();
      return Future.failedFuture(new IllegalStateException("PostgreSQL store at " + target + " is not started"
          + (cause == null ? "" : " (" + cause + ")")));
    }
    Future<T> result;
    try {
      result = operation.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.onComplete(ok -> availability.succeeded(), availability::failed);
  }

  @Override
  public Future<Void> close() {
    synchronized (lock) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      ready = false;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      if (maintenanceTimer >= 0) {
        vertx.cancelTimer(maintenanceTimer);
      }
      if (compactionTimer >= 0) {
        vertx.cancelTimer(compactionTimer);
      }
      if (started != null) {
        started.tryFail("PostgreSQL store at " + target + " closed before it could start");
      }
    }
    return pool.close();
  }

  @Override
  public String toString() {
    return "PostgresTelemetryStore[" + target + "]";
  }
}
