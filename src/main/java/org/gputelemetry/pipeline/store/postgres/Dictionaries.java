package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * The ids that stand for GPUs, metric names, label sets and placements in sample rows, cached in
 * memory, and the label sets each metric was written with ({@code metric_label_sets}).
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

    /**
     * Whether a batch of {@code identity} whose oldest sample is {@code first} leaves the catalogue
     * row as it is: the same identity once attributes the batch does not know are kept
     * ({@link Gpu#updatedBy}), and no older sample.
     */
    boolean covers(Gpu identity, long first) {
      return gpu.updatedBy(identity).equals(gpu) && first >= firstSeen;
    }
  }

  private final Pool pool;
  private final Map<String, GpuState> gpus = new ConcurrentHashMap<>();
  private final Map<String, Short> metricIds = new ConcurrentHashMap<>();
  private final Map<Short, String> metricNames = new ConcurrentHashMap<>();
  private final Map<Placement, Integer> placementIds = new ConcurrentHashMap<>();
  private final Map<Integer, Placement> placements = new ConcurrentHashMap<>();
  private final Map<Labels, Integer> labelIds = new ConcurrentHashMap<>();
  private final Map<Integer, Labels> labelSets = new ConcurrentHashMap<>();
  /** (metric id << 32 | labels id) of every pair known to be in metric_label_sets. */
  private final Set<Long> metricLabelSets = ConcurrentHashMap.newKeySet();

  Dictionaries(Pool pool) {
    this.pool = pool;
    labelIds.put(Labels.EMPTY, EMPTY_LABELS);
    labelSets.put(EMPTY_LABELS, Labels.EMPTY);
  }

  /** The id of the empty label set, inserted by the migration that created label_sets. */
  static final int EMPTY_LABELS = 0;

  Integer labelsId(Labels labels) {
    return labelIds.get(labels);
  }

  Labels labels(int id) {
    return labelSets.get(id);
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

  /**
   * Registers whatever GPU, metric, label set or placement of {@code samples} has no id yet, then
   * the (metric, label set) pairs not yet in {@code metric_label_sets}.
   */
  Future<Void> register(List<Sample> samples) {
    return registerNames(samples).compose(v -> registerMetricLabelSets(samples));
  }

  private Future<Void> registerNames(List<Sample> samples) {
    Map<String, Gpu> newGpus = new TreeMap<>();
    Map<String, Boolean> newMetrics = new TreeMap<>();
    Map<String, Placement> newPlacements = new TreeMap<>();
    Map<String, Labels> newLabels = new TreeMap<>();
    Labels lastLabels = Labels.EMPTY;
    for (Sample s : samples) {
      if (s.labels() != lastLabels && !labelIds.containsKey(s.labels())) {
        newLabels.put(s.labels().canonical(), s.labels());
      }
      lastLabels = s.labels();
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
    List<Future<?>> all = new ArrayList<>(4);
    if (!newLabels.isEmpty()) {
      all.add(registerLabels(newLabels.values()));
    }
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
    String[] pciBusIds = new String[n];
    String[] drivers = new String[n];
    String[] parents = new String[n];
    String[] profiles = new String[n];
    int i = 0;
    for (Gpu g : list) {
      uuids[i] = g.uuid();
      indexes[i] = g.gpuIndex();
      devices[i] = g.device();
      models[i] = g.modelName();
      hosts[i] = g.hostname();
      pciBusIds[i] = g.pciBusId();
      drivers[i] = g.driverVersion();
      parents[i] = g.parentUuid();
      profiles[i] = g.migProfile();
      i++;
    }
    return pool.preparedQuery("INSERT INTO gpus (uuid, gpu_index, device, model_name, hostname, pci_bus_id,"
            + " driver_version, parent_uuid, mig_profile) SELECT * FROM unnest($1::text[], $2::int4[], $3::text[],"
            + " $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) ON CONFLICT (uuid) DO NOTHING")
        .execute(Tuple.wrap(List.of(uuids, indexes, devices, models, hosts, pciBusIds, drivers, parents, profiles)))
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
  static final String GPU_COLUMNS = "id, uuid, gpu_index, device, model_name, hostname, first_seen, pci_bus_id,"
      + " driver_version, parent_uuid, mig_profile";

  /** A row whose first columns are {@link #GPU_COLUMNS}. */
  static GpuState gpuState(Row row) {
    Gpu gpu = new Gpu(row.getString(1), row.getInteger(2), row.getString(3), row.getString(4), row.getString(5),
        row.getString(7), row.getString(8), row.getString(9), row.getString(10));
    OffsetDateTime first = row.getOffsetDateTime(6);
    return new GpuState(row.getInteger(0), gpu, first == null ? Long.MAX_VALUE : Timestamps.toMicros(first.toInstant()));
  }

  private Future<Void> registerLabels(Collection<Labels> list) {
    int n = list.size();
    Buffer[] digests = new Buffer[n];
    String[] texts = new String[n];
    Map<String, Labels> byText = new HashMap<>();
    int i = 0;
    for (Labels l : list) {
      texts[i] = l.canonical();
      digests[i] = Buffer.buffer(digest(texts[i]));
      byText.put(texts[i], l);
      i++;
    }
    return pool.preparedQuery("INSERT INTO label_sets (digest, canonical) SELECT * FROM unnest($1::bytea[], $2::text[])"
            + " ON CONFLICT (digest) DO NOTHING")
        .execute(Tuple.wrap(List.<Object>of(digests, texts)))
        .compose(r -> pool.preparedQuery("SELECT id, canonical FROM label_sets WHERE digest = ANY($1::bytea[])")
            .execute(Tuple.of((Object) digests)))
        .onSuccess(rows -> {
          for (Row row : rows) {
            // a digest shared by another text is no id for this set: the write then fails, naming it
            Labels l = byText.get(row.getString(1));
            if (l != null) {
              labelSets.put(row.getInteger(0), l);
              labelIds.put(l, row.getInteger(0));
            }
          }
        })
        .mapEmpty();
  }

  /** The SHA-256 of a label set's canonical text, label_sets' unique key. */
  static byte[] digest(String canonical) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private Future<Void> registerMetricLabelSets(List<Sample> samples) {
    Set<Long> missing = new TreeSet<>();
    String lastMetric = null;
    Labels lastLabels = null;
    for (Sample s : samples) {
      if (s.metric().equals(lastMetric) && s.labels() == lastLabels) {
        continue;
      }
      lastMetric = s.metric();
      lastLabels = s.labels();
      Short metricId = metricIds.get(s.metric());
      Integer labelsId = labelIds.get(s.labels());
      if (metricId == null || labelsId == null) {
        continue; // not registered (a digest collision): SampleRows fails the write naming it
      }
      long pair = pairKey(metricId, labelsId);
      if (!metricLabelSets.contains(pair)) {
        missing.add(pair);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    Short[] metrics = new Short[missing.size()];
    Integer[] labels = new Integer[missing.size()];
    int i = 0;
    for (long pair : missing) {
      metrics[i] = (short) (pair >> 32);
      labels[i] = (int) pair;
      i++;
    }
    return pool.preparedQuery("INSERT INTO metric_label_sets (metric_id, labels_id)"
            + " SELECT * FROM unnest($1::int2[], $2::int4[]) ON CONFLICT DO NOTHING")
        .execute(Tuple.wrap(List.<Object>of(metrics, labels)))
        .onSuccess(r -> metricLabelSets.addAll(missing))
        .mapEmpty();
  }

  private static long pairKey(short metricId, int labelsId) {
    return ((long) metricId << 32) | (labelsId & 0xffff_ffffL);
  }

  /** Loads the label sets of ids this process has not seen (registered by another process). */
  Future<Void> loadLabels(Collection<Integer> ids) {
    List<Integer> missing = ids.stream().filter(id -> !labelSets.containsKey(id)).distinct().toList();
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("SELECT id, canonical FROM label_sets WHERE id = ANY($1::int4[])")
        .execute(Tuple.of((Object) missing.toArray(new Integer[0])))
        .onSuccess(rows -> {
          for (Row row : rows) {
            Labels l = Labels.parseCanonical(row.getString(1));
            labelSets.put(row.getInteger(0), l);
            labelIds.putIfAbsent(l, row.getInteger(0));
          }
        })
        .mapEmpty();
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
