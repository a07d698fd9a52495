package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.postgres.Dictionaries.GpuState;
import org.gputelemetry.pipeline.store.postgres.Dictionaries.Placement;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * The API's queries. GPUs without a stored sample (registered by a write that failed, or whose
 * samples are all past retention) are not listed. A GPU's samples come from one index range scan per partition of the window
 * (primary key order gpu_id, ts, metric_id, labels_id), already in time order; only the few samples
 * that share a timestamp are sorted by metric name then label set, and the scan stops after
 * {@code limit + 1} rows. Every sample comes back with its labels; a bucket of one metric aggregates
 * all its label sets together, as in the memory store.
 * Thread-safe.
 */
final class SampleReader {

  /**
   * The catalogue with each GPU's newest sample, read from the samples' primary key (one backward
   * index probe per GPU, newest partition first). {@code %s} is the optional filter on {@code gpus g}.
   * Columns: {@link Dictionaries#GPU_COLUMNS}, then last_seen.
   */
  static final String GPU_LIST = "SELECT * FROM (SELECT g.id, g.uuid, g.gpu_index, g.device, g.model_name, g.hostname,"
      + " g.first_seen, g.pci_bus_id, g.driver_version, g.parent_uuid, g.mig_profile,"
      + " greatest((SELECT max(s.ts) FROM samples s WHERE s.gpu_id = g.id),"
      + " (SELECT max(k.last_ts) FROM sample_chunks k WHERE k.gpu_id = g.id)) AS last_seen FROM gpus g%s) c"
      + " WHERE c.last_seen IS NOT NULL ORDER BY c.hostname, c.gpu_index, c.uuid";
  static final String ALL_GPUS = GPU_LIST.formatted("");
  static final String HOST_GPUS = GPU_LIST.formatted(" WHERE g.hostname = $1");
  static final String ONE_GPU = GPU_LIST.formatted(" WHERE g.uuid = $1");
  static final String HOSTS = "SELECT g.hostname, count(*) FROM gpus g WHERE g.hostname IS NOT NULL"
      + " AND greatest((SELECT max(s.ts) FROM samples s WHERE s.gpu_id = g.id),"
      + " (SELECT max(k.last_ts) FROM sample_chunks k WHERE k.gpu_id = g.id)) IS NOT NULL"
      + " GROUP BY g.hostname ORDER BY g.hostname";
  /** Ties at one timestamp are ordered by metric name; the sub-select runs only for the rows the scan returns. */
  static final String METRIC_NAME = "(SELECT m.name FROM metrics m WHERE m.id = s.metric_id)";
  /** Then by label set (the empty set first), as the memory store orders them. */
  static final String LABELS_TEXT = "(SELECT l.canonical FROM label_sets l WHERE l.id = s.labels_id)";

  /**
   * A series' newest raw row (l) and newest chunk (k, its last sample kept in the row): one
   * backward probe of each primary key. The chunk wins only when strictly newer (a raw row at
   * the same time is a late write not yet merged, and the raw value wins). {@code %1$s} is the
   * GPU id, {@code ml} the series' row of metric_label_sets.
   */
  static final String BOTH = " LEFT JOIN LATERAL (SELECT s.ts, s.value, s.placement_id FROM samples s"
      + " WHERE s.gpu_id = %1$s AND s.metric_id = ml.metric_id AND s.labels_id = ml.labels_id"
      + " ORDER BY s.ts DESC LIMIT 1) l ON true"
      + " LEFT JOIN LATERAL (SELECT c.last_ts, c.last, c.placement_id FROM sample_chunks c"
      + " WHERE c.gpu_id = %1$s AND c.metric_id = ml.metric_id AND c.labels_id = ml.labels_id"
      + " ORDER BY c.chunk_start DESC LIMIT 1) k ON true";
  static final String BOTH_COLUMNS = "l.ts AS lts, l.value AS lv, l.placement_id AS lp,"
      + " k.last_ts AS kts, k.last AS kv, k.placement_id AS kp";
  /** Picks the column of whichever of l and k is newer. */
  static final String NEWER = "CASE WHEN x.kts > x.lts OR x.lts IS NULL THEN x.k%1$s ELSE x.l%1$s END";

  /**
   * The newest sample of each series (metric and label set) of one GPU: per (metric, label set)
   * that metric_label_sets lists, one backward probe of each primary key. Columns as
   * {@link #statement}'s; by metric name, then label set.
   */
  static final String GPU_LATEST = "SELECT " + NEWER.formatted("ts") + ", x.metric_id, " + NEWER.formatted("v")
      + ", " + NEWER.formatted("p") + ", x.labels_id FROM (SELECT ml.metric_id, ml.labels_id, m.name, ls.canonical, "
      + BOTH_COLUMNS + " FROM metric_label_sets ml JOIN metrics m ON m.id = ml.metric_id"
      + " JOIN label_sets ls ON ls.id = ml.labels_id" + BOTH.formatted("$1") + ") x"
      + " WHERE x.lts IS NOT NULL OR x.kts IS NOT NULL ORDER BY x.name, x.canonical";

  private final Pool pool;
  private final Dictionaries dictionaries;
  private final FleetLatest fleetLatest;

  SampleReader(Pool pool, Dictionaries dictionaries) {
    this.pool = pool;
    this.dictionaries = dictionaries;
    this.fleetLatest = new FleetLatest(pool, dictionaries);
  }

  Future<List<GpuRecord>> gpus(String hostname) {
    Future<RowSet<Row>> rows = hostname == null
        ? pool.preparedQuery(ALL_GPUS).execute()
        : pool.preparedQuery(HOST_GPUS).execute(Tuple.of(hostname));
    return rows.map(rs -> {
      List<GpuRecord> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new Listed(r).record());
      }
      return out;
    });
  }

  Future<Optional<GpuRecord>> gpu(String uuid) {
    return find(uuid).map(found -> found.map(Listed::record));
  }

  /**
   * The catalogue row alone, for the sample and bucket queries: a GPU without stored samples
   * answers nothing there anyway, so its newest sample (the GPU list's probe of every partition of
   * both tables) is not needed.
   */
  private Future<Optional<GpuState>> catalogued(String uuid) {
    return pool.preparedQuery(ONE_CATALOGUED).execute(Tuple.of(uuid))
        .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(Dictionaries.gpuState(rs.iterator().next())));
  }

  static final String ONE_CATALOGUED = "SELECT " + Dictionaries.GPU_COLUMNS + " FROM gpus WHERE uuid = $1";

  private Future<Optional<Listed>> find(String uuid) {
    return pool.preparedQuery(ONE_GPU).execute(Tuple.of(uuid))
        .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(new Listed(rs.iterator().next())));
  }

  /** A row of {@link #GPU_LIST}. */
  private record Listed(GpuState state, long lastSeen) {

    Listed(Row r) {
      this(Dictionaries.gpuState(r), Timestamps.toMicros(r.getOffsetDateTime(11).toInstant()));
    }

    GpuRecord record() {
      return new GpuRecord(state.gpu(), Math.min(state.firstSeen(), lastSeen), lastSeen);
    }
  }

  Future<List<HostRecord>> hosts() {
    return pool.preparedQuery(HOSTS).execute()
        .map(rs -> {
          List<HostRecord> out = new ArrayList<>(rs.size());
          for (Row r : rs) {
            out.add(new HostRecord(r.getString(0), r.getLong(1).intValue()));
          }
          return out;
        });
  }

  Future<List<String>> metrics() {
    return pool.preparedQuery("SELECT name FROM metrics ORDER BY name").execute()
        .map(rs -> {
          List<String> out = new ArrayList<>(rs.size());
          for (Row r : rs) {
            out.add(r.getString(0));
          }
          return out;
        });
  }

  Future<SamplePage> samples(SampleQuery q) {
    Future<Short> metric = q.metric() == null ? Future.succeededFuture(null) : dictionaries.findMetric(q.metric());
    return metric.compose(metricId -> {
      if (q.metric() != null && metricId == null) {
        return Future.succeededFuture(new SamplePage(List.of(), null)); // no sample ever had that metric
      }
      return catalogued(q.uuid()).compose(gpu -> gpu.isEmpty()
          ? Future.succeededFuture(new SamplePage(List.of(), null))
          : page(gpu.get(), q, metricId));
    });
  }

  /**
   * One page from the raw rows (limit + 1 of them, one index range scan) merged with the chunks
   * the window overlaps, fetched {@link #CHUNK_PAGE} at a time in time order until the page is
   * complete: a merged sample is final once no unfetched chunk can hold an earlier one (in the
   * query's order) and, when the raw scan was cut at limit + 1, it is not past the last raw row.
   * A raw row and a chunk point with the same (timestamp, metric) is a late write not yet merged:
   * the raw value wins. At most limit + 1 samples and one page of chunks are held.
   */
  private Future<SamplePage> page(GpuState gpu, SampleQuery q, Short metricId) {
    Statement st = statement(gpu.id(), q, metricId);
    if (st == null) {
      return Future.succeededFuture(new SamplePage(List.of(), null));
    }
    return pool.preparedQuery(st.sql()).execute(st.params())
        .compose(rs -> resolveNames(rs).compose(v -> {
          List<Sample> raw = new ArrayList<>(rs.size());
          for (Row r : rs) {
            raw.add(sample(gpu.gpu(), r));
          }
          Sample rawBound = raw.size() > q.limit() ? raw.get(raw.size() - 1) : null;
          Set<String> rawKeys = new HashSet<>();
          raw.forEach(x -> rawKeys.add(seriesKey(x.timestampMicros(), x.metric(), x.labels())));
          Comparator<Sample> order = Comparator.comparingLong(Sample::timestampMicros).thenComparing(Sample::metric)
              .thenComparing(x -> x.labels().canonical());
          if (q.descending()) {
            order = order.reversed();
          }
          Merge merge = new Merge(gpu, q, metricId, order, rawBound, rawKeys, new ArrayList<>(raw));
          return chunkPage(merge, null).map(done -> toPage(done, q.limit()));
        }));
  }

  /** Chunks of a sample query fetched per round trip. */
  static final int CHUNK_PAGE = 16;

  /** The state of one sample query's merge of raw rows and chunks. */
  private record Merge(GpuState gpu, SampleQuery q, Short metricId, Comparator<Sample> order, Sample rawBound,
                       Set<String> rawKeys, List<Sample> merged) {
  }

  /** Fetches the chunks after {@code position} (chunk_start, metric_id, labels_id), merges, and recurses until complete. */
  private Future<List<Sample>> chunkPage(Merge m, Row position) {
    SampleQuery q = m.q();
    long from = q.startMicros();
    long to = q.endMicros();
    if (q.cursor() != null && q.descending()) {
      to = Math.min(to, q.cursor().timestampMicros());
    } else if (q.cursor() != null) {
      from = Math.max(from, q.cursor().timestampMicros());
    }
    List<Object> params = new ArrayList<>(List.of(m.gpu().id(), SampleRows.timestamp(clamp(from)),
        SampleRows.timestamp(clamp(to))));
    StringBuilder sql = new StringBuilder("SELECT c.chunk_start, c.metric_id, c.labels_id, c.placement_id, c.data"
        + " FROM sample_chunks c WHERE c.gpu_id = $1 AND c.last_ts >= $2 AND c.chunk_start <= $3");
    if (m.metricId() != null) {
      params.add(m.metricId());
      sql.append(" AND c.metric_id = $").append(params.size());
    }
    String cmp = q.descending() ? " < " : " > ";
    String dir = q.descending() ? " DESC" : "";
    if (position != null) {
      params.add(position.getOffsetDateTime(0));
      params.add(position.getShort(1));
      params.add(position.getInteger(2));
      int n = params.size();
      sql.append(" AND (c.chunk_start, c.metric_id, c.labels_id)").append(cmp)
          .append("($").append(n - 2).append(", $").append(n - 1).append(", $").append(n).append(")");
    }
    sql.append(" ORDER BY c.chunk_start").append(dir).append(", c.metric_id").append(dir).append(", c.labels_id")
        .append(dir).append(" LIMIT ").append(CHUNK_PAGE);
    return pool.preparedQuery(sql.toString()).execute(Tuple.wrap(params)).compose(rs -> resolveNames(rs, 2).compose(v -> {
      Row last = null;
      for (Row r : rs) {
        last = r;
        String metric = dictionaries.metricName(r.getShort(1));
        Labels labels = dictionaries.labels(r.getInteger(2));
        Integer placementId = r.getInteger(3);
        Placement p = placementId == null ? null : dictionaries.placement(placementId);
        ChunkCodec.Points points = ChunkCodec.decode(r.getBuffer(4).getBytes());
        for (int i = 0; i < points.size(); i++) {
          long ts = points.ts()[i];
          if (q.admits(ts, metric, labels.canonical()) && !m.rawKeys().contains(seriesKey(ts, metric, labels))) {
            m.merged().add(new Sample(m.gpu().gpu(), metric, ts, points.values()[i],
                p == null ? null : p.container(), p == null ? null : p.pod(), p == null ? null : p.namespace(), labels));
          }
        }
      }
      m.merged().sort(m.order());
      int want = q.limit() + 1;
      if (m.merged().size() > want) {
        m.merged().subList(want, m.merged().size()).clear(); // later chunks only ever insert before these
      }
      boolean more = rs.size() == CHUNK_PAGE;
      Long frontier = null;
      if (more) {
        long start = Timestamps.toMicros(last.getOffsetDateTime(0).toInstant());
        frontier = q.descending() ? start + Compactor.RANGE_MICROS : start;
      }
      List<Sample> done = new ArrayList<>();
      for (Sample x : m.merged()) {
        if (m.rawBound() != null && m.order().compare(x, m.rawBound()) > 0) {
          break;
        }
        if (frontier != null && (q.descending() ? x.timestampMicros() < frontier : x.timestampMicros() >= frontier)) {
          break;
        }
        done.add(x);
      }
      if (more && done.size() < want) {
        return chunkPage(m, last);
      }
      return Future.succeededFuture(done);
    }));
  }

  /** An SQL statement and its parameters. */
  record Statement(String sql, Tuple params) {
  }

  /**
   * The query for one page of {@code q} on GPU {@code gpuId}: the window's bounds (omitted when
   * open), the metric, the cursor, {@code limit + 1} rows to tell whether a next page exists.
   * {@code null} when the window is empty.
   */
  static Statement statement(int gpuId, SampleQuery q, Short metricId) {
    long from = q.startMicros();
    long to = q.endMicros();
    if (q.cursor() != null && q.descending()) {
      to = Math.min(to, q.cursor().timestampMicros());
    } else if (q.cursor() != null) {
      from = Math.max(from, q.cursor().timestampMicros());
    }
    if (from > to) {
      return null;
    }
    StringBuilder sql = new StringBuilder("SELECT s.ts, s.metric_id, s.value, s.placement_id, s.labels_id"
        + " FROM samples s WHERE s.gpu_id = $1");
    List<Object> params = new ArrayList<>();
    params.add(gpuId);
    if (from != Long.MIN_VALUE) {
      params.add(SampleRows.timestamp(clamp(from)));
      sql.append(" AND s.ts >= $").append(params.size());
    }
    if (to != Long.MAX_VALUE) {
      params.add(SampleRows.timestamp(clamp(to)));
      sql.append(" AND s.ts <= $").append(params.size());
    }
    if (metricId != null) {
      params.add(metricId);
      sql.append(" AND s.metric_id = $").append(params.size());
    }
    String after = q.descending() ? " < $" : " > $";
    if (q.cursor() != null) {
      params.add(SampleRows.timestamp(clamp(q.cursor().timestampMicros())));
      params.add(q.cursor().metric());
      params.add(q.cursor().labels());
      // within the cursor's instant: after its (metric name, label set) in the query's order
      sql.append(" AND (s.ts").append(after).append(params.size() - 2).append(" OR (").append(METRIC_NAME)
          .append(", ").append(LABELS_TEXT).append(")").append(after.replace("$", "($")).append(params.size() - 1)
          .append(", $").append(params.size()).append("))");
    }
    params.add(q.limit() + 1);
    // newest first is the same index range scan run backwards
    String direction = q.descending() ? " DESC" : "";
    sql.append(" ORDER BY s.ts").append(direction).append(", ").append(METRIC_NAME).append(direction)
        .append(", ").append(LABELS_TEXT).append(direction).append(" LIMIT $").append(params.size());
    return new Statement(sql.toString(), Tuple.wrap(params));
  }

  /**
   * One GPU's buckets: the primary key's range scan over the window (the bounds are on the raw
   * ts column), grouped by the bucket index floor(epoch microseconds / step) and the metric.
   */
  Future<List<Bucket>> buckets(BucketQuery q) {
    Future<Short> metric = q.metric() == null ? Future.succeededFuture(null) : dictionaries.findMetric(q.metric());
    return metric.compose(metricId -> {
      if (q.metric() != null && metricId == null) {
        return Future.succeededFuture(List.<Bucket>of());
      }
      return catalogued(q.uuid()).compose(gpu -> {
        if (gpu.isEmpty()) {
          return Future.succeededFuture(List.<Bucket>of());
        }
        int gpuId = gpu.get().id();
        Statement st = bucketStatement(gpuId, q, metricId);
        Statement chunks = chunkBucketStatement(gpuId, q, metricId);
        return pool.preparedQuery(st.sql()).execute(st.params())
            .compose(rs -> pool.preparedQuery(chunks.sql()).execute(chunks.params()).compose(cs -> {
              Set<Short> unknown = new HashSet<>();
              for (RowSet<Row> set : List.of(rs, cs)) {
                for (Row r : set) {
                  if (dictionaries.metricName(r.getShort(1)) == null) {
                    unknown.add(r.getShort(1));
                  }
                }
              }
              return (unknown.isEmpty() ? Future.<Void>succeededFuture() : dictionaries.loadMetrics(unknown).<Void>mapEmpty())
                  .map(v -> combine(q, rs, cs));
            }));
      });
    });
  }

  /** One bucket's running aggregates, from raw groups, whole chunks and decoded points. */
  private static final class Acc {
    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long lastTs = Long.MIN_VALUE;
    double last;

    void add(long n, double s, double lo, double hi, long ts, double lastValue) {
      count += n;
      sum += s;
      min = Math.min(min, lo);
      max = Math.max(max, hi);
      if (ts > lastTs) {
        lastTs = ts;
        last = lastValue;
      }
    }

    double value(Aggregation agg) {
      return agg.of(count, sum, min, max, last);
    }
  }

  /**
   * Raw groups plus chunks: a chunk inside the window and one bucket with no raw row in its range
   * adds its stored aggregates, one whose 5-minute slots each lie in one bucket adds the slots'; any
   * other is decoded, its points outside the window or shadowed by
   * a raw row (a late write not yet merged, the raw value wins) skipped.
   */
  private List<Bucket> combine(BucketQuery q, RowSet<Row> rs, RowSet<Row> cs) {
    Comparator<Map.Entry<Long, String>> byKey = Map.Entry.<Long, String>comparingByKey()
        .thenComparing(Map.Entry.comparingByValue());
    TreeMap<Map.Entry<Long, String>, Acc> out = new TreeMap<>(byKey);
    for (Row r : rs) {
      out.computeIfAbsent(Map.entry(r.getLong(0), dictionaries.metricName(r.getShort(1))), k -> new Acc())
          .add(r.getLong(2), r.getDouble(3), r.getDouble(4), r.getDouble(5),
              Timestamps.toMicros(r.getOffsetDateTime(7).toInstant()), r.getDouble(6));
    }
    for (Row c : cs) {
      String metric = dictionaries.metricName(c.getShort(1));
      long start = Timestamps.toMicros(c.getOffsetDateTime(0).toInstant());
      long lastTs = Timestamps.toMicros(c.getOffsetDateTime(7).toInstant());
      Long[] shadowed = c.getArrayOfLongs(8);
      if (c.getBuffer(10) != null) { // covered, nothing shadowed, every slot inside one bucket
        for (ChunkRow.Slot slot : ChunkRow.slots(start, c.getBuffer(10).getBytes())) {
          out.computeIfAbsent(Map.entry(Math.floorDiv(slot.start(), q.stepMicros()), metric), k -> new Acc())
              .add(slot.count(), slot.sum(), slot.min(), slot.max(), slot.lastTs(), slot.last());
        }
        continue;
      }
      if (c.getBuffer(9) == null) { // covered, nothing shadowed, one bucket: the stored aggregates
        out.computeIfAbsent(Map.entry(Math.floorDiv(start, q.stepMicros()), metric), k -> new Acc())
            .add(c.getInteger(2), c.getDouble(3), c.getDouble(4), c.getDouble(5), lastTs, c.getDouble(6));
        continue;
      }
      Set<Long> raw = new HashSet<>(List.of(shadowed));
      ChunkCodec.Points points = ChunkCodec.decode(c.getBuffer(9).getBytes());
      for (int i = 0; i < points.size(); i++) {
        long ts = points.ts()[i];
        if (ts < q.startMicros() || ts > q.endMicros() || raw.contains(ts)) {
          continue;
        }
        double v = points.values()[i];
        out.computeIfAbsent(Map.entry(Math.floorDiv(ts, q.stepMicros()), metric), k -> new Acc()).add(1, v, v, v, ts, v);
      }
    }
    List<Bucket> buckets = new ArrayList<>(out.size());
    out.forEach((k, acc) -> buckets.add(new Bucket(k.getValue(), k.getKey() * q.stepMicros(), acc.value(q.agg()),
        acc.count)));
    return List.copyOf(buckets);
  }

  /**
   * The chunks of GPU {@code gpuId} the window of {@code q} overlaps, with their aggregates, the
   * raw timestamps inside their range (late writes that shadow a point), their 5-minute slots'
   * aggregates when those suffice (the chunk inside the window, nothing shadowed, a step that is a
   * multiple of 5 minutes: each slot lies in one bucket), and their data only when it must be
   * decoded (the chunk is neither inside one bucket nor answered by its slots).
   */
  static Statement chunkBucketStatement(int gpuId, BucketQuery q, Short metricId) {
    List<Object> params = new ArrayList<>(List.of(gpuId, q.stepMicros(),
        SampleRows.timestamp(clamp(q.startMicros())), SampleRows.timestamp(clamp(q.endMicros()))));
    String onlyMetric = "";
    if (metricId != null) {
      params.add(metricId);
      onlyMetric = " AND c.metric_id = $5";
    }
    String bucket = "floor((extract(epoch FROM %s) * 1000000)::numeric / $2)::bigint";
    String covered = "cardinality(y.shadowed) = 0 AND y.chunk_start >= $3 AND y.last_ts <= $4";
    String oneBucket = bucket.formatted("y.chunk_start") + " = " + bucket.formatted("y.last_ts");
    String bySlots = "y.sub_aggs IS NOT NULL AND $2 % " + ChunkRow.SLOT_MICROS + " = 0";
    String sql = "SELECT y.chunk_start, y.metric_id, y.count, y.sum, y.min, y.max, y.last, y.last_ts, y.shadowed,"
        + " CASE WHEN " + covered + " AND (" + oneBucket + " OR " + bySlots + ") THEN NULL ELSE y.data END,"
        + " CASE WHEN " + covered + " AND NOT " + oneBucket + " AND " + bySlots + " THEN y.sub_aggs END"
        + " FROM (SELECT c.*, ARRAY(SELECT (extract(epoch FROM s.ts) * 1000000)::bigint FROM samples s"
        + " WHERE s.gpu_id = c.gpu_id AND s.metric_id = c.metric_id AND s.labels_id = c.labels_id"
        + " AND s.ts >= c.chunk_start AND s.ts < c.chunk_end)"
        + " AS shadowed FROM sample_chunks c WHERE c.gpu_id = $1 AND c.last_ts >= $3 AND c.chunk_start <= $4"
        + onlyMetric + ") y";
    return new Statement(sql, Tuple.wrap(params));
  }

  /**
   * The buckets of {@code q} on GPU {@code gpuId}: the window's bounds on the raw ts column (the
   * primary key's range scan), grouped by floor(epoch microseconds / step) and metric.
   */
  static Statement bucketStatement(int gpuId, BucketQuery q, Short metricId) {
    List<Object> params = new ArrayList<>(List.of(gpuId, q.stepMicros(),
        SampleRows.timestamp(clamp(q.startMicros())), SampleRows.timestamp(clamp(q.endMicros()))));
    String onlyMetric = "";
    if (metricId != null) {
      params.add(metricId);
      onlyMetric = " AND s.metric_id = $5";
    }
    String sql = "SELECT x.b, x.metric_id, count(*), sum(x.value), min(x.value), max(x.value),"
        + " (array_agg(x.value ORDER BY x.ts DESC))[1], max(x.ts) FROM (SELECT"
        + " floor((extract(epoch FROM s.ts) * 1000000)::numeric / $2)::bigint AS b, s.metric_id, s.ts, s.value"
        + " FROM samples s WHERE s.gpu_id = $1 AND s.ts >= $3 AND s.ts <= $4" + onlyMetric + ") x"
        + " GROUP BY x.b, x.metric_id ORDER BY x.b, (SELECT m.name FROM metrics m WHERE m.id = x.metric_id)";
    return new Statement(sql, Tuple.wrap(params));
  }

  Future<List<Sample>> latest(String uuid) {
    return find(uuid).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      Gpu gpu = found.get().state().gpu();
      return pool.preparedQuery(GPU_LATEST).execute(Tuple.of(found.get().state().id()))
          .compose(rs -> resolveNames(rs).map(v -> {
            List<Sample> out = new ArrayList<>(rs.size());
            for (Row r : rs) {
              out.add(sample(gpu, r));
            }
            return List.copyOf(out);
          }));
    });
  }

  /** See {@link FleetLatest}. */
  Future<List<Sample>> latestOf(String metric, String hostname) {
    return dictionaries.findMetric(metric).compose(metricId -> metricId == null
        ? Future.succeededFuture(List.of()) : fleetLatest.of(metricId, hostname));
  }

  /** A row whose first columns are ts, metric_id, value, placement_id, labels_id. */
  private Sample sample(Gpu gpu, Row r) {
    long micros = Timestamps.toMicros(r.getOffsetDateTime(0).toInstant());
    String metric = dictionaries.metricName(r.getShort(1));
    Integer placementId = r.getInteger(3);
    Placement p = placementId == null ? null : dictionaries.placement(placementId);
    return new Sample(gpu, metric, micros, r.getDouble(2),
        p == null ? null : p.container(), p == null ? null : p.pod(), p == null ? null : p.namespace(),
        dictionaries.labels(r.getInteger(4)));
  }

  /** A series' sample's key: a raw row and a chunk point with the same key are the same sample. */
  private static String seriesKey(long micros, String metric, Labels labels) {
    return micros + "/" + metric + "/" + labels.canonical();
  }

  /** Loads the names of ids another process registered since this one last looked (labels_id in column 4). */
  private Future<Void> resolveNames(RowSet<Row> rs) {
    return resolveNames(rs, 4);
  }

  /** As above with labels_id in column {@code labelsColumn}; metric_id in 1, placement_id in 3. */
  private Future<Void> resolveNames(RowSet<Row> rs, int labelsColumn) {
    Set<Short> metricIds = new HashSet<>();
    Set<Integer> placementIds = new HashSet<>();
    Set<Integer> labelsIds = new HashSet<>();
    for (Row r : rs) {
      short m = r.getShort(1);
      if (dictionaries.metricName(m) == null) {
        metricIds.add(m);
      }
      Integer p = r.getInteger(3);
      if (p != null && dictionaries.placement(p) == null) {
        placementIds.add(p);
      }
      int l = r.getInteger(labelsColumn);
      if (dictionaries.labels(l) == null) {
        labelsIds.add(l);
      }
    }
    if (metricIds.isEmpty() && placementIds.isEmpty() && labelsIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(dictionaries.loadMetrics(metricIds), dictionaries.loadPlacements(placementIds),
        dictionaries.loadLabels(labelsIds)).mapEmpty();
  }

  private static SamplePage toPage(List<Sample> merged, int limit) {
    if (merged.size() <= limit) {
      return new SamplePage(List.copyOf(merged), null);
    }
    Sample last = merged.get(limit - 1);
    return new SamplePage(List.copyOf(merged.subList(0, limit)), new Cursor(last.timestampMicros(), last.metric(),
        last.labels().canonical()));
  }

  /** PostgreSQL's timestamptz covers 4713 BC to 294276 AD; the years 1 to 9999 are all a sample can carry. */
  private static final long MIN_MICROS = Timestamps.parseMicros("0001-01-01T00:00:00Z");
  private static final long MAX_MICROS = Timestamps.parseMicros("9999-12-31T23:59:59.999999Z");

  private static long clamp(long micros) {
    return Math.max(MIN_MICROS, Math.min(MAX_MICROS, micros));
  }
}
