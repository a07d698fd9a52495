package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * The ids that stand for GPUs, metric names and placements in sample rows, cached in memory.
 * A name not yet cached is registered ({@code INSERT ... ON CONFLICT DO NOTHING}, committed on
 * its own so that no writer transaction holds catalogue locks) and its id read back; ids never
 * change once assigned, so the cache never goes stale. For GPUs the cache also holds the
 * identity and oldest sample known to be committed, which lets a writer skip the catalogue
 * update when a batch changes neither (the common case). Thread-safe; concurrent registrations of the
 * same name are harmless.
 */
final class Dictionaries {

  /** Where a sample was taken, in Kubernetes terms; at least one field is non-null. */
  record Placement(String container, String pod, String namespace) {

    /** The placement of {@code s}, or {@code null} when it has none. */
    static Placement of(Sample s) {
      if (s.container() == null && s.pod() == null && s.namespace() == null) {
        return null;
      }
      return new Placement(s.container(), s.pod(), s.namespace());
    }

    String key() {
      return new JsonArray().add(container).add(pod).add(namespace).encode();
    }
  }

  /** A GPU's id, and its identity and oldest sample as committed in the catalogue. */
  record GpuState(int id, Gpu gpu, long firstSeen) {

    /** Whether a batch of {@code identity} whose oldest sample is {@code first} leaves the catalogue row as it is. */
    boolean covers(Gpu identity, long first) {
      return gpu.equals(identity) && first >= firstSeen;
    }
  }

  private final Pool pool;
  private final Map<String, GpuState> gpus = new ConcurrentHashMap<>();
  private final Map<String, Short> metricIds = new ConcurrentHashMap<>();
  private final Map<Short, String> metricNames = new ConcurrentHashMap<>();
  private final Map<Placement, Integer> placementIds = new ConcurrentHashMap<>();
  private final Map<Integer, Placement> placements = new ConcurrentHashMap<>();

  Dictionaries(Pool pool) {
    this.pool = pool;
  }

  GpuState gpu(String uuid) {
    return gpus.get(uuid);
  }

  Short metricId(String name) {
    return metricIds.get(name);
  }

  String metricName(short id) {
    return metricNames.get(id);
  }

  Integer placementId(Placement p) {
    return p == null ? null : placementIds.get(p);
  }

  Placement placement(int id) {
    return placements.get(id);
  }

  /** Records that the catalogue row of {@code identity} now says {@code identity} and at most {@code first}. */
  void committed(int id, Gpu identity, long first) {
    gpus.merge(identity.uuid(), new GpuState(id, identity, first),
        (old, mine) -> new GpuState(id, identity, Math.min(old.firstSeen(), first)));
  }

  /** Registers whatever GPU, metric or placement of {@code samples} has no id yet. */
  Future<Void> register(List<Sample> samples) {
    Map<String, Gpu> newGpus = new TreeMap<>();
    Map<String, Boolean> newMetrics = new TreeMap<>();
    Map<String, Placement> newPlacements = new TreeMap<>();
    for (Sample s : samples) {
      if (!gpus.containsKey(s.gpu().uuid())) {
        newGpus.put(s.gpu().uuid(), s.gpu());
      }
      if (!metricIds.containsKey(s.metric())) {
        newMetrics.put(s.metric(), Boolean.TRUE);
      }
      Placement p = Placement.of(s);
      if (p != null && !placementIds.containsKey(p)) {
        newPlacements.put(p.key(), p);
      }
    }
    List<Future<?>> all = new ArrayList<>(3);
    if (!newGpus.isEmpty()) {
      all.add(registerGpus(newGpus.values()));
    }
    if (!newMetrics.isEmpty()) {
      all.add(registerMetrics(newMetrics.keySet()));
    }
    if (!newPlacements.isEmpty()) {
      all.add(registerPlacements(newPlacements.values()));
    }
    return all.isEmpty() ? Future.succeededFuture() : Future.all(all).mapEmpty();
  }

  private Future<Void> registerGpus(Collection<Gpu> list) {
    int n = list.size();
    String[] uuids = new String[n];
    Integer[] indexes = new Integer[n];
    String[] devices = new String[n];
    String[] models = new String[n];
    String[] hosts = new String[n];
    int i = 0;
    for (Gpu g : list) {
      uuids[i] = g.uuid();
      indexes[i] = g.gpuIndex();
      devices[i] = g.device();
      models[i] = g.modelName();
      hosts[i] = g.hostname();
      i++;
    }
    return pool.preparedQuery("INSERT INTO gpus (uuid, gpu_index, device, model_name, hostname) "
            + "SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[]) "
            + "ON CONFLICT (uuid) DO NOTHING")
        .execute(Tuple.of(uuids, indexes, devices, models, hosts))
        .compose(r -> pool.preparedQuery("SELECT " + GPU_COLUMNS + " FROM gpus WHERE uuid = ANY($1::text[])")
            .execute(Tuple.of((Object) uuids)))
        .onSuccess(rows -> {
          for (Row row : rows) {
            GpuState s = gpuState(row);
            gpus.putIfAbsent(s.gpu().uuid(), s);
          }
        })
        .mapEmpty();
  }

  /** The catalogue columns {@link #gpuState} reads, in order. */
  static final String GPU_COLUMNS = "id, uuid, gpu_index, device, model_name, hostname, first_seen";

  static GpuState gpuState(Row row) {
    Gpu gpu = new Gpu(row.getString(1), row.getInteger(2), row.getString(3), row.getString(4), row.getString(5));
    OffsetDateTime first = row.getOffsetDateTime(6);
    return new GpuState(row.getInteger(0), gpu, first == null ? Long.MAX_VALUE : Timestamps.toMicros(first.toInstant()));
  }

  private Future<Void> registerMetrics(Collection<String> names) {
    String[] array = names.toArray(new String[0]);
    return pool.preparedQuery("INSERT INTO metrics (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of((Object) array))
        .compose(r -> pool.preparedQuery("SELECT id, name FROM metrics WHERE name = ANY($1::text[])")
            .execute(Tuple.of((Object) array)))
        .onSuccess(this::cacheMetrics)
        .mapEmpty();
  }

  private Future<Void> registerPlacements(Collection<Placement> list) {
    int n = list.size();
    String[] keys = new String[n];
    String[] containers = new String[n];
    String[] pods = new String[n];
    String[] namespaces = new String[n];
    int i = 0;
    for (Placement p : list) {
      keys[i] = p.key();
      containers[i] = p.container();
      pods[i] = p.pod();
      namespaces[i] = p.namespace();
      i++;
    }
    return pool.preparedQuery("INSERT INTO placements (key, container, pod, namespace) "
            + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (key) DO NOTHING")
        .execute(Tuple.of(keys, containers, pods, namespaces))
        .compose(r -> pool.preparedQuery("SELECT id, container, pod, namespace FROM placements WHERE key = ANY($1::text[])")
            .execute(Tuple.of((Object) keys)))
        .onSuccess(this::cachePlacements)
        .mapEmpty();
  }

  /** Loads the names of metric ids this process has not seen (written by another process). */
  Future<Void> loadMetrics(Collection<Short> ids) {
    List<Short> missing = ids.stream().filter(id -> !metricNames.containsKey(id)).distinct().toList();
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("SELECT id, name FROM metrics WHERE id = ANY($1::int2[])")
        .execute(Tuple.of((Object) missing.toArray(new Short[0])))
        .onSuccess(this::cacheMetrics)
        .mapEmpty();
  }

  /** Looks a metric name up without registering it; {@code null} when no sample ever had it. */
  Future<Short> findMetric(String name) {
    Short id = metricIds.get(name);
    if (id != null) {
      return Future.succeededFuture(id);
    }
    return pool.preparedQuery("SELECT id, name FROM metrics WHERE name = $1").execute(Tuple.of(name))
        .map(rows -> {
          cacheMetrics(rows);
          return metricIds.get(name);
        });
  }

  /** Loads the placements of ids this process has not seen. */
  Future<Void> loadPlacements(Collection<Integer> ids) {
    List<Integer> missing = ids.stream().filter(id -> !placements.containsKey(id)).distinct().toList();
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("SELECT id, container, pod, namespace FROM placements WHERE id = ANY($1::int4[])")
        .execute(Tuple.of((Object) missing.toArray(new Integer[0])))
        .onSuccess(this::cachePlacements)
        .mapEmpty();
  }

  private void cacheMetrics(Iterable<Row> rows) {
    for (Row row : rows) {
      short id = row.getShort(0);
      String name = row.getString(1);
      metricNames.put(id, name); // the name first: a reader that finds the id must find the name
      metricIds.put(name, id);
    }
  }

  private void cachePlacements(Iterable<Row> rows) {
    for (Row row : rows) {
      int id = row.getInteger(0);
      Placement p = new Placement(row.getString(1), row.getString(2), row.getString(3));
      placements.put(id, p);
      placementIds.put(p, id);
    }
  }
}
