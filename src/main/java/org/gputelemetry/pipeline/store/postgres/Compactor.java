package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * Moves closed ranges of raw {@code samples} rows into {@code sample_chunks}: one chunk per
 * series (gpu, metric, labels) and aligned hour, once the hour ended more than {@code after} ago.
 *
 * <p>A pass is linear in the raw rows it moves. It walks the samples' day partitions older than
 * the closed end, and each day in slices of GPUs (ids from the catalogue, as many as make about
 * {@link #TARGET_ROWS} raw rows, adapted slice by slice). A slice is one transaction: one read of
 * its rows ({@code gpu_id = ANY(...)} and the time range: one index descent per GPU), grouped by
 * series and hour in memory, every new chunk inserted by one statement of arrays, and the rows
 * deleted by the same range. The transaction is REPEATABLE READ: a late sample committed while it
 * runs is invisible to its read and to its delete, so it stays raw for the next pass; a concurrent
 * change of a row it read fails it (serialization failure), and the pass ends to be retried.
 * After each commit every sample is in exactly one of the two tables.
 *
 * <p>A range that already has a chunk (a late or replayed sample) is merged into it: decoded, the
 * raw value winning at equal times, re-encoded; so replays stay effectively-once. A range whose
 * raw rows carry several placements, or another placement than its chunk, stays raw (a chunk has
 * one placement) and is excluded from the delete; such rows are read alongside the chunk.
 *
 * <p>Every pipeline process runs passes; each slice first takes a transaction-scoped advisory lock
 * with {@code pg_try_advisory_xact_lock}, so while one process compacts the others end their pass
 * instead of waiting. Thread-safe: no mutable state.
 */
final class Compactor {

  /** Advisory lock key serialising compaction of every pipeline process on this database. */
  static final long LOCK_KEY = 0x6770_7574_6d69_6703L;
  static final long RANGE_MICROS = Duration.ofHours(1).toNanos() / 1_000;
  private static final long DAY_MICROS = 24 * RANGE_MICROS;
  /** Raw rows a slice aims at: bounds a transaction's length and the rows held in memory. */
  static final int TARGET_ROWS = 200_000;
  static final int FIRST_GPUS = 64;
  static final int MAX_GPUS = 4096;

  static final String GPU_IDS = "SELECT id FROM gpus ORDER BY id";
  static final String DAYS = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
      + " WHERE i.inhparent = 'samples'::regclass";
  static final String READ = "SELECT s.gpu_id, s.metric_id, s.labels_id, s.placement_id, s.ts, s.value"
      + " FROM samples s WHERE s.gpu_id = ANY($1) AND s.ts >= $2 AND s.ts < $3";
  static final String DELETE = "DELETE FROM samples s WHERE s.gpu_id = ANY($1) AND s.ts >= $2 AND s.ts < $3";
  /** Appended to {@link #DELETE} when some ranges stay raw: (gpu, metric, labels, hour) arrays $4..$7. */
  static final String KEEP = " AND (s.gpu_id, s.metric_id, s.labels_id, floor(extract(epoch FROM s.ts) / 3600)::bigint)"
      + " NOT IN (SELECT * FROM unnest($4::int4[], $5::int2[], $6::int4[], $7::int8[]))";
  /** No chunk ends after the watermark (V8); one row, only raised. */
  static final String RAISE_WATERMARK = "INSERT INTO compaction_watermark (closed_end) VALUES ($1)"
      + " ON CONFLICT (only_row) DO UPDATE SET closed_end = GREATEST(compaction_watermark.closed_end, EXCLUDED.closed_end)";
  static final String INSERT_NEW = ChunkRow.INSERT + " ON CONFLICT (gpu_id, metric_id, labels_id, chunk_start)"
      + " DO NOTHING RETURNING gpu_id, metric_id, labels_id, chunk_start";
  static final String EXISTING = "SELECT c.gpu_id, c.metric_id, c.labels_id, c.chunk_start, c.placement_id, c.data"
      + " FROM sample_chunks c JOIN unnest($1::int4[], $2::int2[], $3::int4[], $4::timestamptz[]) AS k(g, m, l, t)"
      + " ON c.gpu_id = k.g AND c.metric_id = k.m AND c.labels_id = k.l AND c.chunk_start = k.t FOR UPDATE OF c";
  static final String MERGE = "UPDATE sample_chunks SET last_ts = $5, min = $6, max = $7, sum = $8, first = $9,"
      + " last = $10, count = $11, data = $12, sub_aggs = $13"
      + " WHERE gpu_id = $1 AND metric_id = $2 AND labels_id = $3 AND chunk_start = $4";

  /** What one pass did: chunks written (new or merged), raw samples moved; {@code busy} when another process held the lock. */
  record Outcome(int ranges, long samples, boolean busy) {
  }

  /** A series' range: the key of a chunk row. */
  private record Key(int gpuId, short metricId, int labelsId, long start) {
  }

  /** The raw points of one range, in the order read. */
  private static final class Points {
    final Integer placementId;
    boolean mixed;
    boolean sorted = true;
    int n;
    long[] ts = new long[64];
    double[] values = new double[64];

    Points(Integer placementId) {
      this.placementId = placementId;
    }

    void add(long t, double v, Integer placement) {
      mixed |= !Objects.equals(placement, placementId);
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        values = Arrays.copyOf(values, n * 2);
      }
      sorted &= n == 0 || ts[n - 1] < t;
      ts[n] = t;
      values[n++] = v;
    }

    /**
     * Ascending by time (rows come in the order the scan met them; two writers' batches may have
     * interleaved). Sorts (offset in the hour, index) pairs packed in one long: primitive, no boxing.
     */
    void sort(long start) {
      if (sorted) {
        return;
      }
      long[] keyed = new long[n];
      for (int i = 0; i < n; i++) {
        keyed[i] = (ts[i] - start) << 31 | i; // offset < 2^32 within an hour, index < 2^31
      }
      Arrays.sort(keyed);
      long[] t = new long[n];
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        int from = (int) (keyed[i] & 0x7fff_ffffL);
        t[i] = ts[from];
        v[i] = values[from];
      }
      ts = t;
      values = v;
      sorted = true;
    }
  }

  /** One slice's result. */
  private record Step(int chunks, long samples, int rowsRead, boolean busy) {
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
    return pool.preparedQuery(DAYS).execute().compose(dayRows -> {
      TreeSet<Long> days = new TreeSet<>();
      for (Row r : dayRows) {
        Long day = PartitionMaintainer.parse(r.getString(0));
        if (day != null && day * DAY_MICROS < closedEnd) {
          days.add(day);
        }
      }
      if (days.isEmpty()) {
        return Future.succeededFuture(new Outcome(0, 0, false));
      }
      return pool.preparedQuery(GPU_IDS).execute().compose(gpuRows -> {
        int[] ids = new int[gpuRows.size()];
        int i = 0;
        for (Row r : gpuRows) {
          ids[i++] = r.getInteger(0);
        }
        return days(new ArrayList<>(days), 0, ids, closedEnd, new Outcome(0, 0, false));
      });
    });
  }

  private Future<Outcome> days(List<Long> days, int index, int[] ids, long closedEnd, Outcome sofar) {
    if (index == days.size() || sofar.busy()) {
      return Future.succeededFuture(sofar);
    }
    long from = days.get(index) * DAY_MICROS;
    long to = Math.min(from + DAY_MICROS, closedEnd);
    return slices(ids, 0, FIRST_GPUS, from, to, sofar)
        .compose(o -> days(days, index + 1, ids, closedEnd, o));
  }

  /** The slices of one day from GPU index {@code at}, {@code width} GPUs at a time, adapted to {@link #TARGET_ROWS}. */
  private Future<Outcome> slices(int[] ids, int at, int width, long from, long to, Outcome sofar) {
    if (at >= ids.length || sofar.busy()) {
      return Future.succeededFuture(sofar);
    }
    int end = Math.min(ids.length, at + width);
    Integer[] slice = new Integer[end - at];
    for (int i = at; i < end; i++) {
      slice[i - at] = ids[i];
    }
    return slice(slice, from, to).compose(step -> {
      Outcome now = new Outcome(sofar.ranges() + step.chunks(), sofar.samples() + step.samples(), step.busy());
      long next = step.rowsRead() == 0 ? (long) width * 4 : (long) width * TARGET_ROWS / step.rowsRead();
      return slices(ids, end, (int) Math.max(1, Math.min(MAX_GPUS, next)), from, to, now);
    });
  }

  /** One transaction: the raw rows of GPUs {@code gpuIds} in [from, to) into chunks. */
  private Future<Step> slice(Integer[] gpuIds, long from, long to) {
    Tuple range = Tuple.of(gpuIds, SampleRows.timestamp(from), SampleRows.timestamp(to));
    Set<Long> days = new TreeSet<>();
    return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
        .compose(v -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY)))
        .compose(locked -> {
          if (!locked.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new Step(0, 0, 0, true));
          }
          return conn.preparedQuery(READ).execute(range).compose(rows -> {
            if (rows.size() == 0) {
              return Future.succeededFuture(new Step(0, 0, 0, false));
            }
            Map<Key, Points> ranges = group(rows);
            ranges.keySet().forEach(k -> days.add(PartitionMaintainer.day(k.start())));
            return partitions.ensureChunks(conn, days).compose(v -> write(conn, ranges, range, rows.size()));
          });
        }))
        .onSuccess(step -> partitions.knowChunks(days))
        .recover(e -> e instanceof PgException pg && "40001".equals(pg.getSqlState())
            ? Future.succeededFuture(new Step(0, 0, 0, true)) // a late write changed a row read: next pass
            : Future.failedFuture(e));
  }

  private static Map<Key, Points> group(RowSet<Row> rows) {
    Map<Key, Points> out = new HashMap<>();
    for (Row r : rows) {
      long ts = Timestamps.toMicros(r.getOffsetDateTime(4).toInstant());
      Key key = new Key(r.getInteger(0), r.getShort(1), r.getInteger(2), Math.floorDiv(ts, RANGE_MICROS) * RANGE_MICROS);
      Integer placement = r.getInteger(3);
      out.computeIfAbsent(key, k -> new Points(placement)).add(ts, r.getDouble(5), placement);
    }
    return out;
  }

  /** New chunks in one statement, merges into existing ones, then the raw rows' delete; the Step. */
  private static Future<Step> write(SqlConnection conn, Map<Key, Points> ranges, Tuple range, int read) {
    List<ChunkRow.Keyed> fresh = new ArrayList<>(ranges.size());
    Set<Key> keep = new HashSet<>();
    for (var e : ranges.entrySet()) {
      Points p = e.getValue();
      if (p.mixed) {
        keep.add(e.getKey());
        continue;
      }
      p.sort(e.getKey().start());
      Key k = e.getKey();
      fresh.add(new ChunkRow.Keyed(k.gpuId(), k.metricId(), k.labelsId(), p.placementId,
          ChunkRow.of(k.start(), p.ts, p.values, p.n)));
    }
    if (fresh.isEmpty()) {
      return Future.succeededFuture(new Step(0, 0, read, false));
    }
    // raised before the chunks it covers are visible: latestOf skips chunks for raw rows at or after it
    Future<?> watermark = conn.preparedQuery(RAISE_WATERMARK).execute(Tuple.of(range.getValue(2)));
    return watermark.compose(w -> conn.preparedQuery(INSERT_NEW).execute(ChunkRow.arrays(fresh))).compose(inserted -> {
      Set<Key> conflicts = new HashSet<>();
      fresh.forEach(f -> conflicts.add(new Key(f.gpuId(), f.metricId(), f.labelsId(), f.row().start())));
      for (Row r : inserted) {
        conflicts.remove(new Key(r.getInteger(0), r.getShort(1), r.getInteger(2),
            Timestamps.toMicros(r.getOffsetDateTime(3).toInstant())));
      }
      Future<Integer> merged = conflicts.isEmpty() ? Future.succeededFuture(0)
          : merge(conn, conflicts, ranges, keep);
      return merged.compose(m -> delete(conn, range, keep)
          .map(deleted -> new Step(inserted.size() + m, deleted, read, false)));
    });
  }

  /**
   * Ranges that already had a chunk (late or replayed samples): each chunk is locked, decoded and
   * merged with the raw points (the raw value wins at equal times); one of another placement keeps
   * its raw rows ({@code keep}).
   */
  private static Future<Integer> merge(SqlConnection conn, Set<Key> conflicts, Map<Key, Points> ranges, Set<Key> keep) {
    int n = conflicts.size();
    Integer[] g = new Integer[n];
    Short[] m = new Short[n];
    Integer[] l = new Integer[n];
    OffsetDateTime[] t = new OffsetDateTime[n];
    int i = 0;
    for (Key k : conflicts) {
      g[i] = k.gpuId();
      m[i] = k.metricId();
      l[i] = k.labelsId();
      t[i++] = SampleRows.timestamp(k.start());
    }
    return conn.preparedQuery(EXISTING).execute(Tuple.of(g, m, l, t)).compose(existing -> {
      List<Tuple> updates = new ArrayList<>();
      for (Row r : existing) {
        Key k = new Key(r.getInteger(0), r.getShort(1), r.getInteger(2),
            Timestamps.toMicros(r.getOffsetDateTime(3).toInstant()));
        Points raw = ranges.get(k);
        if (!Objects.equals(r.getInteger(4), raw.placementId)) {
          keep.add(k); // another placement: the rows stay raw, read alongside the chunk
          continue;
        }
        TreeMap<Long, Double> points = new TreeMap<>();
        ChunkCodec.Points old = ChunkCodec.decode(r.getBuffer(5).getBytes());
        for (int j = 0; j < old.size(); j++) {
          points.put(old.ts()[j], old.values()[j]);
        }
        for (int j = 0; j < raw.n; j++) {
          points.put(raw.ts[j], raw.values[j]); // raw wins
        }
        long[] ts = new long[points.size()];
        double[] values = new double[points.size()];
        int j = 0;
        for (var e : points.entrySet()) {
          ts[j] = e.getKey();
          values[j++] = e.getValue();
        }
        ChunkRow c = ChunkRow.of(k.start(), ts, values, ts.length);
        updates.add(Tuple.of(k.gpuId(), k.metricId(), k.labelsId(), SampleRows.timestamp(k.start()),
            SampleRows.timestamp(c.lastTs()), c.min(), c.max(), c.sum(), c.first(), c.last(), c.count(),
            Buffer.buffer(c.data())).addValue(c.subAggs() == null ? null : Buffer.buffer(c.subAggs())));
      }
      return updates.isEmpty() ? Future.succeededFuture(0)
          : conn.preparedQuery(MERGE).executeBatch(updates).map(updates.size());
    });
  }

  /** Deletes the slice's raw rows except the ranges in {@code keep}; the number deleted. */
  private static Future<Long> delete(SqlConnection conn, Tuple range, Set<Key> keep) {
    if (keep.isEmpty()) {
      return conn.preparedQuery(DELETE).execute(range).map(rs -> (long) rs.rowCount());
    }
    int n = keep.size();
    Integer[] g = new Integer[n];
    Short[] m = new Short[n];
    Integer[] l = new Integer[n];
    Long[] h = new Long[n];
    int i = 0;
    for (Key k : keep) {
      g[i] = k.gpuId();
      m[i] = k.metricId();
      l[i] = k.labelsId();
      h[i++] = Math.floorDiv(k.start(), RANGE_MICROS);
    }
    Tuple params = Tuple.of(range.getValue(0), range.getValue(1), range.getValue(2), g, m, l, h);
    return conn.preparedQuery(DELETE + KEEP).execute(params).map(rs -> (long) rs.rowCount());
  }
}
