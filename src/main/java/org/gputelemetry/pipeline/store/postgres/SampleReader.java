package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gputelemetry.pipeline.model.Gpu;
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

/**
 * The API's queries. GPUs without a stored sample (registered by a write that failed, or whose
 * samples are all past retention) are not listed. A GPU's samples come from one index range scan per partition of the window
 * (primary key order gpu_id, ts, metric_id), already in time order; only the few samples that
 * share a timestamp are sorted by metric name, and the scan stops after {@code limit + 1} rows.
 * Thread-safe.
 */
final class SampleReader {

  /**
   * The catalogue with each GPU's newest sample, read from the samples' primary key (one backward
   * index probe per GPU, newest partition first). {@code %s} is the optional filter on {@code gpus g}.
   */
  static final String GPU_LIST = "SELECT * FROM (SELECT g.id, g.uuid, g.gpu_index, g.device, g.model_name, g.hostname,"
      + " g.first_seen, (SELECT max(s.ts) FROM samples s WHERE s.gpu_id = g.id) AS last_seen FROM gpus g%s) c"
      + " WHERE c.last_seen IS NOT NULL ORDER BY c.hostname, c.gpu_index, c.uuid";
  static final String ALL_GPUS = GPU_LIST.formatted("");
  static final String HOST_GPUS = GPU_LIST.formatted(" WHERE g.hostname = $1");
  static final String ONE_GPU = GPU_LIST.formatted(" WHERE g.uuid = $1");
  static final String HOSTS = "SELECT g.hostname, count(*) FROM gpus g WHERE g.hostname IS NOT NULL"
      + " AND (SELECT max(s.ts) FROM samples s WHERE s.gpu_id = g.id) IS NOT NULL GROUP BY g.hostname ORDER BY g.hostname";
  /** Ties at one timestamp are ordered by metric name; the sub-select runs only for the rows the scan returns. */
  static final String METRIC_NAME = "(SELECT m.name FROM metrics m WHERE m.id = s.metric_id)";

  /**
   * Each metric's newest sample of one GPU: per metric, one backward probe of the primary key
   * (gpu_id, ts) that stops at the first row of that metric. Columns as {@link #statement}'s.
   */
  static final String GPU_LATEST = "SELECT l.ts, m.id, l.value, l.placement_id FROM metrics m"
      + " CROSS JOIN LATERAL (SELECT s.ts, s.value, s.placement_id FROM samples s"
      + " WHERE s.gpu_id = $1 AND s.metric_id = m.id ORDER BY s.ts DESC LIMIT 1) l ORDER BY m.name";
  /** One metric's newest sample of every GPU (one backward probe each), then the GPU's identity. */
  static final String METRIC_LATEST = "SELECT l.ts, $1::smallint, l.value, l.placement_id,"
      + " g.uuid, g.gpu_index, g.device, g.model_name, g.hostname FROM gpus g"
      + " CROSS JOIN LATERAL (SELECT s.ts, s.value, s.placement_id FROM samples s"
      + " WHERE s.gpu_id = g.id AND s.metric_id = $1 ORDER BY s.ts DESC LIMIT 1) l%s"
      + " ORDER BY g.hostname, g.gpu_index, g.uuid";
  static final String FLEET_LATEST = METRIC_LATEST.formatted("");
  static final String HOST_LATEST = METRIC_LATEST.formatted(" WHERE g.hostname = $2");

  private final Pool pool;
  private final Dictionaries dictionaries;

  SampleReader(Pool pool, Dictionaries dictionaries) {
    this.pool = pool;
    this.dictionaries = dictionaries;
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

  private Future<Optional<Listed>> find(String uuid) {
    return pool.preparedQuery(ONE_GPU).execute(Tuple.of(uuid))
        .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(new Listed(rs.iterator().next())));
  }

  /** A row of {@link #GPU_LIST}. */
  private record Listed(GpuState state, long lastSeen) {

    Listed(Row r) {
      this(Dictionaries.gpuState(r), Timestamps.toMicros(r.getOffsetDateTime(7).toInstant()));
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
      return find(q.uuid()).compose(gpu -> gpu.isEmpty()
          ? Future.succeededFuture(new SamplePage(List.of(), null))
          : page(gpu.get().state(), q, metricId));
    });
  }

  private Future<SamplePage> page(GpuState gpu, SampleQuery q, Short metricId) {
    Statement st = statement(gpu.id(), q, metricId);
    if (st == null) {
      return Future.succeededFuture(new SamplePage(List.of(), null));
    }
    return pool.preparedQuery(st.sql()).execute(st.params())
        .compose(rs -> resolveNames(rs).map(v -> toPage(gpu.gpu(), rs, q.limit())));
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
    StringBuilder sql = new StringBuilder("SELECT s.ts, s.metric_id, s.value, s.placement_id FROM samples s"
        + " WHERE s.gpu_id = $1");
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
      sql.append(" AND (s.ts").append(after).append(params.size() - 1).append(" OR ").append(METRIC_NAME)
          .append(after).append(params.size()).append(")");
    }
    params.add(q.limit() + 1);
    // newest first is the same index range scan run backwards
    String direction = q.descending() ? " DESC" : "";
    sql.append(" ORDER BY s.ts").append(direction).append(", ").append(METRIC_NAME).append(direction)
        .append(" LIMIT $").append(params.size());
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
      return find(q.uuid()).compose(gpu -> {
        if (gpu.isEmpty()) {
          return Future.succeededFuture(List.<Bucket>of());
        }
        Statement st = bucketStatement(gpu.get().state().id(), q, metricId);
        return pool.preparedQuery(st.sql()).execute(st.params()).compose(rs -> {
          Set<Short> unknown = new HashSet<>();
          for (Row r : rs) {
            if (dictionaries.metricName(r.getShort(1)) == null) {
              unknown.add(r.getShort(1));
            }
          }
          return (unknown.isEmpty() ? Future.<Void>succeededFuture() : dictionaries.loadMetrics(unknown).<Void>mapEmpty())
              .map(v -> {
                List<Bucket> out = new ArrayList<>(rs.size());
                for (Row r : rs) {
                  out.add(new Bucket(dictionaries.metricName(r.getShort(1)), r.getLong(0) * q.stepMicros(),
                      r.getDouble(3), r.getLong(2)));
                }
                return List.copyOf(out);
              });
        });
      });
    });
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
    String sql = "SELECT x.b, x.metric_id, count(*), " + aggregate(q.agg()) + " FROM (SELECT"
        + " floor((extract(epoch FROM s.ts) * 1000000)::numeric / $2)::bigint AS b, s.metric_id, s.ts, s.value"
        + " FROM samples s WHERE s.gpu_id = $1 AND s.ts >= $3 AND s.ts <= $4" + onlyMetric + ") x"
        + " GROUP BY x.b, x.metric_id ORDER BY x.b, (SELECT m.name FROM metrics m WHERE m.id = x.metric_id)";
    return new Statement(sql, Tuple.wrap(params));
  }

  private static String aggregate(Aggregation agg) {
    return switch (agg) {
      case AVG -> "avg(x.value)";
      case MIN -> "min(x.value)";
      case MAX -> "max(x.value)";
      case SUM -> "sum(x.value)";
      case COUNT -> "count(*)::float8";
      case LAST -> "(array_agg(x.value ORDER BY x.ts DESC))[1]";
    };
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

  Future<List<Sample>> latestOf(String metric, String hostname) {
    return dictionaries.findMetric(metric).compose(metricId -> {
      if (metricId == null) {
        return Future.succeededFuture(List.of());
      }
      Future<RowSet<Row>> rows = hostname == null
          ? pool.preparedQuery(FLEET_LATEST).execute(Tuple.of(metricId))
          : pool.preparedQuery(HOST_LATEST).execute(Tuple.of(metricId, hostname));
      return rows.compose(rs -> resolveNames(rs).map(v -> {
        List<Sample> out = new ArrayList<>(rs.size());
        for (Row r : rs) {
          Gpu gpu = new Gpu(r.getString(4), r.getInteger(5), r.getString(6), r.getString(7), r.getString(8));
          out.add(sample(gpu, r));
        }
        return List.copyOf(out);
      }));
    });
  }

  /** A row whose first columns are ts, metric_id, value, placement_id. */
  private Sample sample(Gpu gpu, Row r) {
    long micros = Timestamps.toMicros(r.getOffsetDateTime(0).toInstant());
    String metric = dictionaries.metricName(r.getShort(1));
    Integer placementId = r.getInteger(3);
    Placement p = placementId == null ? null : dictionaries.placement(placementId);
    return new Sample(gpu, metric, micros, r.getDouble(2),
        p == null ? null : p.container(), p == null ? null : p.pod(), p == null ? null : p.namespace());
  }

  /** Loads the names of ids another process registered since this one last looked. */
  private Future<Void> resolveNames(RowSet<Row> rs) {
    Set<Short> metricIds = new HashSet<>();
    Set<Integer> placementIds = new HashSet<>();
    for (Row r : rs) {
      short m = r.getShort(1);
      if (dictionaries.metricName(m) == null) {
        metricIds.add(m);
      }
      Integer p = r.getInteger(3);
      if (p != null && dictionaries.placement(p) == null) {
        placementIds.add(p);
      }
    }
    if (metricIds.isEmpty() && placementIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(dictionaries.loadMetrics(metricIds), dictionaries.loadPlacements(placementIds)).mapEmpty();
  }

  private SamplePage toPage(Gpu gpu, RowSet<Row> rs, int limit) {
    List<Sample> out = new ArrayList<>(Math.min(rs.size(), limit));
    Cursor next = null;
    for (Row r : rs) {
      if (out.size() == limit) {
        Sample last = out.get(limit - 1);
        next = new Cursor(last.timestampMicros(), last.metric());
        break;
      }
      out.add(sample(gpu, r));
    }
    return new SamplePage(List.copyOf(out), next);
  }

  /** PostgreSQL's timestamptz covers 4713 BC to 294276 AD; the years 1 to 9999 are all a sample can carry. */
  private static final long MIN_MICROS = Timestamps.parseMicros("0001-01-01T00:00:00Z");
  private static final long MAX_MICROS = Timestamps.parseMicros("9999-12-31T23:59:59.999999Z");

  private static long clamp(long micros) {
    return Math.max(MIN_MICROS, Math.min(MAX_MICROS, micros));
  }
}
