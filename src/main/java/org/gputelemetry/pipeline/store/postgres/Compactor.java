package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * Moves closed ranges of raw {@code samples} rows into {@code sample_chunks}: one chunk per
 * series (gpu, metric, labels) and aligned hour, once the hour ended more than {@code after} ago.
 * Each batch of ranges is one transaction that deletes the raw rows (DELETE ... RETURNING reads
 * them), merges them into the range's existing chunk if there is one (a late or replayed sample:
 * decoded, merged by timestamp with the raw value winning, re-encoded) and upserts the chunk, so
 * a sample is in exactly one of the two tables after the commit and a replay never doubles it.
 *
 * <p>Every pipeline process runs passes; a batch first takes a transaction-scoped advisory lock
 * with {@code pg_try_advisory_xact_lock}, so while one process compacts the others skip their
 * pass instead of waiting. A range whose raw rows carry several placements stays raw (a chunk has
 * one placement). Thread-safe: no mutable state.
 */
final class Compactor {

  /** Advisory lock key serialising compaction of every pipeline process on this database. */
  static final long LOCK_KEY = 0x6770_7574_6d69_6703L;
  static final long RANGE_MICROS = Duration.ofHours(1).toNanos() / 1_000;
  /** Ranges per transaction: bounds the transaction's length and the rows held in memory. */
  static final int BATCH = 64;

  /**
   * The closed ranges of each series (gpu, metric, label set) still holding raw rows with one
   * placement, in key order after a position. $1 = exclusive end of the closed time,
   * ($2, $3, $4, $5) = the last range done.
   */
  static final String WORK = "SELECT g.gpu_id, g.metric_id, g.labels_id, g.h, g.placement_id FROM (SELECT s.gpu_id,"
      + " s.metric_id, s.labels_id, floor(extract(epoch FROM s.ts) / 3600)::bigint AS h,"
      + " min(s.placement_id) AS placement_id, count(DISTINCT coalesce(s.placement_id, -1)) AS placements"
      + " FROM samples s WHERE s.ts < $1 GROUP BY 1, 2, 3, 4) g"
      + " WHERE g.placements = 1 AND (g.gpu_id, g.metric_id, g.labels_id, g.h) > ($2, $3, $4, $5)"
      + " ORDER BY 1, 2, 3, 4 LIMIT " + BATCH;
  static final String TAKE_RAW = "DELETE FROM samples s WHERE s.gpu_id = $1 AND s.metric_id = $2 AND s.labels_id = $3"
      + " AND s.ts >= $4 AND s.ts < $5 AND s.placement_id IS NOT DISTINCT FROM $6 RETURNING s.ts, s.value";
  static final String CHUNK = "SELECT c.data, c.placement_id FROM sample_chunks c WHERE c.gpu_id = $1"
      + " AND c.metric_id = $2 AND c.labels_id = $3 AND c.chunk_start = $4 FOR UPDATE";
  static final String UPSERT = "INSERT INTO sample_chunks (chunk_start, chunk_end, last_ts, min, max, sum, first,"
      + " last, gpu_id, labels_id, count, placement_id, metric_id, data)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
      + " ON CONFLICT (gpu_id, metric_id, labels_id, chunk_start) DO UPDATE SET chunk_end = EXCLUDED.chunk_end,"
      + " last_ts = EXCLUDED.last_ts, min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum,"
      + " first = EXCLUDED.first, last = EXCLUDED.last, count = EXCLUDED.count, data = EXCLUDED.data";

  /** What one pass did; {@code busy} when another process held the lock. */
  record Outcome(int ranges, long samples, boolean busy) {
  }

  private record Range(int gpuId, short metricId, int labelsId, long hour, Integer placementId) {
  }

  private final Pool pool;
  private final PartitionMaintainer partitions;
  private final Duration after;

  Compactor(Pool pool, PartitionMaintainer partitions, Duration after) {
    this.pool = pool;
    this.partitions = partitions;
    this.after = after;
  }

  /** One pass over every range closed as of {@code now}. */
  Future<Outcome> compact(Instant now) {
    long closedEnd = Math.floorDiv(Timestamps.toMicros(now.minus(after)), RANGE_MICROS) * RANGE_MICROS;
    return batch(closedEnd, new Range(Integer.MIN_VALUE, Short.MIN_VALUE, Integer.MIN_VALUE,
        Long.MIN_VALUE, null), new Outcome(0, 0, false));
  }

  private Future<Outcome> batch(long closedEnd, Range position, Outcome sofar) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
        .execute(Tuple.of(LOCK_KEY))
        .compose(locked -> {
          if (!locked.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new Step(List.of(), Set.<Long>of(), 0, true));
          }
          return conn.preparedQuery(WORK).execute(Tuple.of(SampleRows.timestamp(closedEnd), position.gpuId(),
                  position.metricId(), position.labelsId(), position.hour()))
              .compose(rows -> {
                List<Range> ranges = new ArrayList<>(rows.size());
                Set<Long> days = new TreeSet<>();
                for (Row r : rows) {
                  Range range = new Range(r.getInteger(0), r.getShort(1), r.getInteger(2), r.getLong(3),
                      r.getInteger(4));
                  ranges.add(range);
                  days.add(PartitionMaintainer.day(range.hour() * RANGE_MICROS));
                }
                return partitions.ensureChunks(conn, days).compose(v -> compactAll(conn, ranges))
                    .map(n -> new Step(ranges, days, n, false));
              });
        }))
        .compose(step -> {
          partitions.knowChunks(step.days());
          Outcome now = new Outcome(sofar.ranges() + step.ranges().size(), sofar.samples() + step.samples(),
              step.busy());
          if (step.busy() || step.ranges().size() < BATCH) {
            return Future.succeededFuture(now);
          }
          return batch(closedEnd, step.ranges().get(step.ranges().size() - 1), now);
        });
  }

  private record Step(List<Range> ranges, Set<Long> days, long samples, boolean busy) {
  }

  private static Future<Long> compactAll(SqlConnection conn, List<Range> ranges) {
    Future<Long> chain = Future.succeededFuture(0L);
    for (Range r : ranges) {
      chain = chain.compose(n -> compactOne(conn, r).map(m -> n + m));
    }
    return chain;
  }

  /** Moves one range's raw rows into its chunk; the number of raw rows moved. */
  private static Future<Long> compactOne(SqlConnection conn, Range r) {
    long start = r.hour() * RANGE_MICROS;
    Object startTs = SampleRows.timestamp(start);
    return conn.preparedQuery(CHUNK).execute(Tuple.of(r.gpuId(), r.metricId(), r.labelsId(), startTs)).compose(chunk -> {
      Row existing = chunk.size() == 0 ? null : chunk.iterator().next();
      if (existing != null && !Objects.equals(existing.getInteger(1), r.placementId())) {
        return Future.succeededFuture(0L); // another placement: the rows stay raw, read alongside the chunk
      }
      return conn.preparedQuery(TAKE_RAW).execute(Tuple.of(r.gpuId(), r.metricId(), r.labelsId(), startTs,
              SampleRows.timestamp(start + RANGE_MICROS), r.placementId()))
          .compose(raw -> {
            if (raw.size() == 0) {
              return Future.succeededFuture(0L);
            }
            TreeMap<Long, Double> points = new TreeMap<>();
            if (existing != null) {
              ChunkCodec.Points old = ChunkCodec.decode(existing.getBuffer(0).getBytes());
              for (int i = 0; i < old.size(); i++) {
                points.put(old.ts()[i], old.values()[i]);
              }
            }
            for (Row row : raw) {
              points.put(Timestamps.toMicros(row.getOffsetDateTime(0).toInstant()), row.getDouble(1)); // raw wins
            }
            return conn.preparedQuery(UPSERT).execute(upsert(r, start, points)).map((long) raw.size());
          });
    });
  }

  private static Tuple upsert(Range r, long start, TreeMap<Long, Double> points) {
    int n = points.size();
    long[] ts = new long[n];
    double[] values = new double[n];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    int i = 0;
    for (var e : points.entrySet()) {
      ts[i] = e.getKey();
      values[i] = e.getValue();
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
      sum += values[i];
      i++;
    }
    return Tuple.wrap(new ArrayList<>(List.of(SampleRows.timestamp(start), SampleRows.timestamp(start + RANGE_MICROS),
            SampleRows.timestamp(ts[n - 1]), min, max, sum, values[0], values[n - 1], r.gpuId(), r.labelsId(), n)))
        .addValue(r.placementId()).addValue(r.metricId())
        .addValue(io.vertx.core.buffer.Buffer.buffer(ChunkCodec.encode(ts, values, n)));
  }
}
