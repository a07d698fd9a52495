package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.RejectedContentException;
import org.gputelemetry.pipeline.store.postgres.SampleRows.CatalogueChange;

/**
 * Writes batches of samples: registers unseen names (committed on their own), makes sure the
 * batch's partitions exist, then in one transaction inserts the rows and, when the batch brings a
 * GPU's new identity or an older first sample, updates its catalogue row. The batch's samples
 * commit all together or not at all; retrying a failed batch is safe, as the write is idempotent.
 * A batch holding a time the table has no partition for fails before any round trip.
 * Thread-safe: concurrent writes use separate pooled connections.
 */
final class SampleWriter {

  private static final String COLUMNS = "INSERT INTO samples AS s (ts, value, gpu_id, placement_id, metric_id,"
      + " labels_id) ";
  /** Later value wins; re-writing an identical row (a replay) leaves it untouched, so replays make no dead tuples. */
  private static final String UPSERT = " ON CONFLICT (gpu_id, ts, metric_id, labels_id) DO UPDATE"
      + " SET value = EXCLUDED.value, placement_id = EXCLUDED.placement_id"
      + " WHERE (s.value, s.placement_id) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.placement_id)";
  private static final String UNNEST = "SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::int4[], $4::int4[],"
      + " $5::int2[], $6::int4[])";
  private static final String ONE = "VALUES ($1, $2, $3, $4, $5, $6)";
  private static final int MAX_ROWS_PER_VALUES = 10_000;
  /** Batches written straight as upserts after a batch met existing rows (a replay is usually followed by more). */
  private static final int REPLAY_BATCHES = 16;

  /** The PCI bus, driver and MIG attributes are only ever replaced by a value, never by null. */
  private static final String UPDATE_CATALOGUE = "UPDATE gpus AS g SET gpu_index = u.gpu_index, device = u.device,"
      + " model_name = u.model_name, hostname = u.hostname, first_seen = LEAST(g.first_seen, u.first_seen),"
      + " pci_bus_id = coalesce(u.pci_bus_id, g.pci_bus_id), driver_version = coalesce(u.driver_version, g.driver_version),"
      + " parent_uuid = coalesce(u.parent_uuid, g.parent_uuid), mig_profile = coalesce(u.mig_profile, g.mig_profile)"
      + " FROM unnest($1::int4[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[],"
      + " $8::text[], $9::text[], $10::text[])"
      + " AS u(id, gpu_index, device, model_name, hostname, first_seen, pci_bus_id, driver_version, parent_uuid,"
      + " mig_profile) WHERE g.id = u.id";

  /** SQLSTATE of "no partition of relation found for row". */
  private static final String NO_PARTITION = "23514";
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final Dictionaries dictionaries;
  private final PartitionMaintainer partitions;
  private final InsertMethod method;
  private final Map<Integer, String> valuesStatements = new ConcurrentHashMap<>();
  private final AtomicInteger replayBatches = new AtomicInteger();

  SampleWriter(Pool pool, Dictionaries dictionaries, PartitionMaintainer partitions, InsertMethod method) {
    this.pool = pool;
    this.dictionaries = dictionaries;
    this.partitions = partitions;
    this.method = method;
  }

  Future<Void> write(List<Sample> samples) {
    if (samples.isEmpty()) {
      return Future.succeededFuture();
    }
    for (Sample s : samples) {
      if (!PartitionMaintainer.storable(s.timestampMicros())) {
        // before anything is registered: such a sample must leave no catalogue row behind
        return Future.failedFuture(new RejectedContentException("timestamp " + Timestamps.format(s.timestampMicros())
            + " is outside the years " + PartitionMaintainer.FIRST_YEAR + " to " + PartitionMaintainer.LAST_YEAR
            + " that the samples table is partitioned for"));
      }
    }
    return dictionaries.register(samples).compose(v -> {
      SampleRows rows = SampleRows.of(samples, dictionaries);
      return partitions.ensure(rows.days)
          .compose(x -> commit(rows))
          .recover(e -> {
            if (!(e instanceof PgException pg && NO_PARTITION.equals(pg.getSqlState()))) {
              return Future.failedFuture(e);
            }
            // A partition this process knew was dropped behind its back (retention elsewhere,
            // an operator): check again, recreate, and write once more.
            partitions.forget(rows.days);
            return partitions.ensure(rows.days).compose(x -> commit(rows));
          })
          .onSuccess(x -> {
            for (CatalogueChange c : rows.changes) {
              dictionaries.committed(c.id(), c.identity(), c.first());
            }
          });
    });
  }

  /**
   * New rows go in with a plain INSERT, which costs PostgreSQL a third less than an upsert
   * (no speculative insertion). When the batch meets rows already stored (a retry, a replay)
   * the INSERT fails as a whole on the primary key and the batch is written again as an upsert;
   * the next {@link #REPLAY_BATCHES} batches go straight to the upsert. Either way the batch
   * commits as one transaction, and the result is the same as an upsert's. (PostgreSQL logs each
   * such failed INSERT as a duplicate-key ERROR, at most one per {@link #REPLAY_BATCHES} batches.)
   */
  private Future<Void> commit(SampleRows rows) {
    boolean upsert = replayBatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    Future<Void> first = transaction(rows, upsert);
    if (upsert) {
      return first;
    }
    return first.recover(e -> {
      if (!(e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))) {
        return Future.failedFuture(e);
      }
      replayBatches.set(REPLAY_BATCHES);
      return transaction(rows, true);
    });
  }

  private Future<Void> transaction(SampleRows rows, boolean upsert) {
    boolean oneStatement = method == InsertMethod.UNNEST
        || method == InsertMethod.MULTI_ROW_VALUES && rows.size <= MAX_ROWS_PER_VALUES;
    if (rows.changes.isEmpty() && oneStatement) {
      // A single statement commits atomically on its own; saving BEGIN and COMMIT round trips
      // measurably helps on a busy 2-core machine.
      return pool.withConnection(conn -> insert(conn, rows, upsert));
    }
    return pool.withTransaction(conn -> insert(conn, rows, upsert).compose(y -> updateCatalogue(conn, rows)));
  }

  /*
   * Insert paths measured by PostgresWriteBench (1,000,000 samples, 247 GPUs x 10 metrics,
   * batches of 5000, 2 concurrent writers through this class; embedded PostgreSQL 16 on the
   * 2-core development machine, fsync and synchronous_commit on; median of 5 interleaved runs):
   *   UNNEST            369,715 rows/s   (1.32 x psql \copy of the same rows: 279,269 rows/s)
   *   MULTI_ROW_VALUES  120,619 rows/s   (parsing/planning 25,000 parameters costs more than the rows)
   *   BATCHED_PREPARED  144,577 rows/s   (executor start-up once per row)
   * UNNEST is the write path: fastest, one small statement and one generic plan whatever the
   * batch size. Details and a second session in docs/postgres.md.
   */
  private Future<Void> insert(SqlConnection conn, SampleRows rows, boolean upsert) {
    String conflict = upsert ? UPSERT : "";
    return switch (method) {
      case UNNEST -> conn.preparedQuery(COLUMNS + UNNEST + conflict)
          .execute(Tuple.of(rows.timestamps(), rows.boxedValues(), rows.boxedGpuIds(), rows.boxedPlacementIds(),
              rows.boxedMetricIds(), rows.boxedLabelsIds()))
          .mapEmpty();
      case MULTI_ROW_VALUES -> insertValues(conn, rows, 0, conflict);
      case BATCHED_PREPARED -> {
        List<Tuple> batch = new ArrayList<>(rows.size);
        for (int i = 0; i < rows.size; i++) {
          batch.add(row(rows, i));
        }
        yield conn.preparedQuery(COLUMNS + ONE + conflict).executeBatch(batch).mapEmpty();
      }
    };
  }

  private Future<Void> insertValues(SqlConnection conn, SampleRows rows, int from, String conflict) {
    if (from >= rows.size) {
      return Future.succeededFuture();
    }
    int n = Math.min(MAX_ROWS_PER_VALUES, rows.size - from);
    List<Object> params = new ArrayList<>(n * 6);
    for (int i = from; i < from + n; i++) {
      params.add(SampleRows.timestamp(rows.ts[i]));
      params.add(rows.values[i]);
      params.add(rows.gpuIds[i]);
      params.add(rows.placementIds[i]);
      params.add(rows.metricIds[i]);
      params.add(rows.labelsIds[i]);
    }
    String sql = valuesStatements.computeIfAbsent(n, SampleWriter::values) + conflict;
    return conn.preparedQuery(sql).execute(Tuple.wrap(params)).compose(r -> insertValues(conn, rows, from + n, conflict));
  }

  private static String values(int rows) {
    StringBuilder sql = new StringBuilder(COLUMNS.length() + rows * 64).append(COLUMNS).append("VALUES ");
    for (int r = 0; r < rows; r++) {
      int p = r * 6;
      sql.append(r == 0 ? "(" : ", (").append('$').append(p + 1).append("::timestamptz, $").append(p + 2)
          .append("::float8, $").append(p + 3).append("::int4, $").append(p + 4).append("::int4, $").append(p + 5)
          .append("::int2, $").append(p + 6).append("::int4)");
    }
    return sql.toString();
  }

  private static Tuple row(SampleRows rows, int i) {
    return Tuple.of(SampleRows.timestamp(rows.ts[i]), rows.values[i], rows.gpuIds[i], rows.placementIds[i],
        rows.metricIds[i], rows.labelsIds[i]);
  }

  private static Future<Void> updateCatalogue(SqlConnection conn, SampleRows rows) {
    List<CatalogueChange> changes = rows.changes;
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = changes.size();
    Integer[] ids = new Integer[n];
    Integer[] indexes = new Integer[n];
    String[] devices = new String[n];
    String[] models = new String[n];
    String[] hosts = new String[n];
    OffsetDateTime[] first = new OffsetDateTime[n];
    String[] pciBusIds = new String[n];
    String[] drivers = new String[n];
    String[] parents = new String[n];
    String[] profiles = new String[n];
    for (int i = 0; i < n; i++) {
      CatalogueChange c = changes.get(i);
      ids[i] = c.id();
      indexes[i] = c.identity().gpuIndex();
      devices[i] = c.identity().device();
      models[i] = c.identity().modelName();
      hosts[i] = c.identity().hostname();
      first[i] = SampleRows.timestamp(c.first());
      pciBusIds[i] = c.identity().pciBusId();
      drivers[i] = c.identity().driverVersion();
      parents[i] = c.identity().parentUuid();
      profiles[i] = c.identity().migProfile();
    }
    return conn.preparedQuery(UPDATE_CATALOGUE)
        .execute(Tuple.wrap(List.of(ids, indexes, devices, models, hosts, first, pciBusIds, drivers, parents, profiles)))
        .mapEmpty();
  }
}
