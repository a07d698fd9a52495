package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.postgres.Dictionaries.GpuState;
import org.gputelemetry.pipeline.store.postgres.Dictionaries.Placement;

/**
 * One metric's newest sample of every series of the fleet (or of one host): {@code latestOf}.
 *
 * <p>Both tables are partitioned by day, and every row of a day's two partitions (raw rows by
 * {@code ts}, chunks by {@code chunk_start}, whose samples all lie in that day) is newer than any
 * row of an older day's. So the series are looked up day by day, newest first, in that day's two
 * partitions only, and a series found on a day is done: usually today resolves every active GPU in
 * one statement, and only GPUs without samples today are looked up a day further back. One probe of
 * a partition's primary key per series costs about a third of the same probe through the parent
 * table (which runs one index scan per partition, the empty days ahead included). Pre-created days
 * after today are skipped when empty. Each day's lookup of a series reads both of its partitions in
 * one statement (one snapshot: a sample the compactor moves from raw to a chunk is seen in one of
 * them); the chunk partition is probed only for series whose newest raw row is missing or older
 * than the compaction watermark (V8), since no chunk ends after it: an active GPU costs one probe.
 * The series are split in {@link #PARTS} statements run at once on the pool. Thread-safe.
 */
final class FleetLatest {

  /** Statements one day's lookup is split into, run concurrently (on a pool of at least that many). */
  static final int PARTS = 2;

  static final String CATALOGUE = "SELECT " + Dictionaries.GPU_COLUMNS + " FROM gpus%s ORDER BY hostname, gpu_index, uuid";
  static final String ALL = CATALOGUE.formatted("");
  static final String HOST = CATALOGUE.formatted(" WHERE hostname = $1");
  static final String LABEL_SETS = "SELECT labels_id FROM metric_label_sets WHERE metric_id = $1";
  /** No chunk ends after it (V8); infinity until the first compaction writes it. */
  static final String WATERMARK = "COALESCE((SELECT w.closed_end FROM compaction_watermark w), 'infinity'::timestamptz)";
  static final String PARTITIONS = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
      + " WHERE i.inhparent IN ('samples'::regclass, 'sample_chunks'::regclass)";

  /** A day's partitions: either may be missing (a database from before chunks, a partition dropped). */
  private record Day(long day, boolean raw, boolean chunks) {
  }

  /** The series (GPU, label set) in answer order, and what was found for each. */
  private static final class Lookup {
    final short metricId;
    final GpuState[] gpus;
    final int[] labels;
    final Sample[] found;

    Lookup(short metricId, GpuState[] gpus, int[] labels) {
      this.metricId = metricId;
      this.gpus = gpus;
      this.labels = labels;
      this.found = new Sample[gpus.length];
    }
  }

  private final Pool pool;
  private final Dictionaries dictionaries;

  FleetLatest(Pool pool, Dictionaries dictionaries) {
    this.pool = pool;
    this.dictionaries = dictionaries;
  }

  /**
   * The newest sample of each series of metric {@code metricId}, by hostname, gpu_index, uuid, then
   * label set. A partition dropped by retention while the lookup runs fails it; it is run again once.
   */
  Future<List<Sample>> of(short metricId, String hostname) {
    return once(metricId, hostname).recover(e -> e instanceof io.vertx.pgclient.PgException pg
        && "42P01".equals(pg.getSqlState()) ? once(metricId, hostname) : Future.failedFuture(e));
  }

  private Future<List<Sample>> once(short metricId, String hostname) {
    Future<RowSet<Row>> catalogue = hostname == null ? pool.preparedQuery(ALL).execute()
        : pool.preparedQuery(HOST).execute(Tuple.of(hostname));
    Future<RowSet<Row>> labelSets = pool.preparedQuery(LABEL_SETS).execute(Tuple.of(metricId));
    Future<RowSet<Row>> partitions = pool.preparedQuery(PARTITIONS).execute();
    return Future.all(catalogue, labelSets, partitions).compose(all -> {
      List<Integer> labelIds = new ArrayList<>();
      labelSets.result().forEach(r -> labelIds.add(r.getInteger(0)));
      return dictionaries.loadLabels(unknownLabels(labelIds)).compose(v -> {
        labelIds.sort(Comparator.comparing(id -> dictionaries.labels(id).canonical()));
        List<GpuState> gpus = new ArrayList<>();
        catalogue.result().forEach(r -> gpus.add(Dictionaries.gpuState(r)));
        int n = gpus.size() * labelIds.size();
        GpuState[] seriesGpu = new GpuState[n];
        int[] seriesLabels = new int[n];
        int i = 0;
        for (GpuState g : gpus) {
          for (int l : labelIds) {
            seriesGpu[i] = g;
            seriesLabels[i++] = l;
          }
        }
        Lookup lookup = new Lookup(metricId, seriesGpu, seriesLabels);
        List<Integer> pending = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
          pending.add(s);
        }
        return days(partitions.result()).compose(days -> walk(lookup, days, 0, pending));
      });
    }).map(lookup -> {
      List<Sample> out = new ArrayList<>();
      for (Sample s : lookup.found) {
        if (s != null) {
          out.add(s);
        }
      }
      return List.copyOf(out);
    });
  }

  private Set<Integer> unknownLabels(List<Integer> ids) {
    Set<Integer> out = new HashSet<>();
    for (int id : ids) {
      if (dictionaries.labels(id) == null) {
        out.add(id);
      }
    }
    return out;
  }

  /** The days with a partition in either table, newest first; days after today only when not empty. */
  private Future<List<Day>> days(RowSet<Row> partitions) {
    TreeMap<Long, boolean[]> byDay = new TreeMap<>(Comparator.reverseOrder());
    for (Row r : partitions) {
      String name = r.getString(0);
      boolean chunk = name.startsWith(PartitionMaintainer.CHUNK_PREFIX);
      Long day = PartitionMaintainer.parse(chunk ? PartitionMaintainer.PREFIX
          + name.substring(PartitionMaintainer.CHUNK_PREFIX.length()) : name);
      if (day != null) {
        byDay.computeIfAbsent(day, d -> new boolean[2])[chunk ? 1 : 0] = true;
      }
    }
    long today = PartitionMaintainer.day(Timestamps.toMicros(Instant.now()));
    List<String> ahead = new ArrayList<>();
    for (var e : byDay.headMap(today).entrySet()) { // reverse order: the days after today
      if (e.getValue()[0]) {
        ahead.add(PartitionMaintainer.name(e.getKey()));
      }
      if (e.getValue()[1]) {
        ahead.add(PartitionMaintainer.chunkName(e.getKey()));
      }
    }
    Future<Set<String>> empty = ahead.isEmpty() ? Future.succeededFuture(Set.of()) : emptyOf(ahead);
    return empty.map(skip -> {
      List<Day> out = new ArrayList<>();
      byDay.forEach((d, has) -> {
        boolean raw = has[0] && !skip.contains(PartitionMaintainer.name(d));
        boolean chunks = has[1] && !skip.contains(PartitionMaintainer.chunkName(d));
        if (raw || chunks) {
          out.add(new Day(d, raw, chunks));
        }
      });
      return out;
    });
  }

  /** Which of {@code tables} hold no row: one statement, each an EXISTS that stops at the first row. */
  private Future<Set<String>> emptyOf(List<String> tables) {
    StringBuilder sql = new StringBuilder();
    for (String t : tables) {
      sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT '").append(t)
          .append("'::text, EXISTS (SELECT 1 FROM ").append(t).append(")");
    }
    return pool.query(sql.toString()).execute().map(rs -> {
      Set<String> out = new HashSet<>();
      for (Row r : rs) {
        if (!r.getBoolean(1)) {
          out.add(r.getString(0));
        }
      }
      return out;
    });
  }

  /** Looks the {@code pending} series up on day {@code index} and the ones after it until every series is found. */
  private Future<Lookup> walk(Lookup lookup, List<Day> days, int index, List<Integer> pending) {
    if (pending.isEmpty() || index == days.size()) {
      return Future.succeededFuture(lookup);
    }
    Day day = days.get(index);
    String sql = probe(day);
    List<Future<RowSet<Row>>> parts = new ArrayList<>(PARTS);
    int per = (pending.size() + PARTS - 1) / PARTS;
    List<List<Integer>> slices = new ArrayList<>(PARTS);
    for (int from = 0; from < pending.size(); from += per) {
      List<Integer> slice = pending.subList(from, Math.min(pending.size(), from + per));
      slices.add(slice);
      Integer[] g = new Integer[slice.size()];
      Integer[] l = new Integer[slice.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = lookup.gpus[slice.get(i)].id();
        l[i] = lookup.labels[slice.get(i)];
      }
      parts.add(pool.preparedQuery(sql).execute(Tuple.of(g, l, lookup.metricId)));
    }
    return Future.all(parts).compose(all -> placements(parts)).compose(v -> {
      for (int p = 0; p < parts.size(); p++) {
        List<Integer> slice = slices.get(p);
        for (Row r : parts.get(p).result()) {
          int series = slice.get((int) (r.getLong(0) - 1));
          lookup.found[series] = newer(lookup, series, r);
        }
      }
      List<Integer> still = new ArrayList<>();
      for (int s : pending) {
        if (lookup.found[s] == null) {
          still.add(s);
        }
      }
      return walk(lookup, days, index + 1, still);
    });
  }

  /**
   * One day's lookup of series ($1 GPU ids, $2 label set ids) of metric $3: the newest raw row and
   * the newest chunk of each in that day's partitions, one backward probe of each primary key;
   * only the series found there. Columns: ordinality, raw ts, value, placement, chunk last_ts,
   * last, placement.
   */
  static String probe(Day day) {
    String raw = day.raw() ? "(SELECT s.ts, s.value, s.placement_id FROM " + PartitionMaintainer.name(day.day())
        + " s WHERE s.gpu_id = k.g AND s.metric_id = $3 AND s.labels_id = k.l ORDER BY s.ts DESC LIMIT 1)"
        : "(SELECT NULL::timestamptz AS ts, NULL::float8 AS value, NULL::int4 AS placement_id)";
    // a raw row at or after the watermark is newer than every chunk: the probe is gated off (a
    // one-time filter on the outer row, so the index is not touched); the watermark is read in the
    // same snapshot as the probes
    String chunks = day.chunks() ? "(SELECT c.last_ts, c.last, c.placement_id FROM "
        + PartitionMaintainer.chunkName(day.day()) + " c WHERE (s.ts IS NULL OR s.ts < " + WATERMARK + ")"
        + " AND c.gpu_id = k.g AND c.metric_id = $3 AND c.labels_id = k.l ORDER BY c.chunk_start DESC LIMIT 1)"
        : "(SELECT NULL::timestamptz AS last_ts, NULL::float8 AS last, NULL::int4 AS placement_id)";
    return "SELECT k.i, s.ts, s.value, s.placement_id, c.last_ts, c.last, c.placement_id"
        + " FROM unnest($1::int4[], $2::int4[]) WITH ORDINALITY AS k(g, l, i)"
        + " LEFT JOIN LATERAL " + raw + " s ON true LEFT JOIN LATERAL " + chunks + " c ON true"
        + " WHERE s.ts IS NOT NULL OR c.last_ts IS NOT NULL";
  }

  /** Loads placements other processes registered since this one last looked. */
  private Future<Void> placements(List<Future<RowSet<Row>>> parts) {
    Set<Integer> unknown = new HashSet<>();
    for (Future<RowSet<Row>> part : parts) {
      for (Row r : part.result()) {
        for (int column : new int[] {3, 6}) {
          Integer p = r.getInteger(column);
          if (p != null && dictionaries.placement(p) == null) {
            unknown.add(p);
          }
        }
      }
    }
    return unknown.isEmpty() ? Future.succeededFuture() : dictionaries.loadPlacements(unknown).mapEmpty();
  }

  /** The raw row, or the chunk's last sample when strictly newer (a raw row at the same time is a late write: it wins). */
  private Sample newer(Lookup lookup, int series, Row r) {
    boolean chunk = r.getValue(1) == null
        || (r.getValue(4) != null && r.getOffsetDateTime(4).isAfter(r.getOffsetDateTime(1)));
    int base = chunk ? 4 : 1;
    Integer placementId = r.getInteger(base + 2);
    Placement p = placementId == null ? null : dictionaries.placement(placementId);
    Labels labels = dictionaries.labels(lookup.labels[series]);
    return new Sample(lookup.gpus[series].gpu(), dictionaries.metricName(lookup.metricId),
        Timestamps.toMicros(r.getOffsetDateTime(base).toInstant()), r.getDouble(base + 1),
        p == null ? null : p.container(), p == null ? null : p.pod(), p == null ? null : p.namespace(), labels);
  }

  /** For tests: the lookup statement of one day with both partitions. */
  static String probeOf(long day) {
    return probe(new Day(day, true, true));
  }
}
