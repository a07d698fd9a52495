package org.gputelemetry.pipeline.store.memory;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.config.ByteSizes;
import org.gputelemetry.pipeline.config.StoreSettings;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;

/**
 * The embedded store: everything in this process's memory, compressed and bounded by bytes
 * ({@code maxBytes}: the oldest closed chunks of the whole fleet dropped first) and, when asked,
 * per GPU ({@code maxEntriesPerGPU}: the GPU's oldest samples dropped first). Each series
 * (GPU, metric, label set) is an open head of primitive arrays closed every 512 points (or at a
 * 5-minute boundary) into a compressed chunk with its summary. The default
 * when no database is configured.
 *
 * <p>Thread-safe: the catalogue is a concurrent map and each GPU's series are locked on their own,
 * so writers of different GPUs never contend, and a query sees each GPU in a consistent state.
 * Writes complete synchronously; nothing survives the process.
 */
public final class MemoryTelemetryStore implements TelemetryStore {

  private static final Comparator<GpuRecord> CATALOGUE_ORDER = Comparator
      .comparing((GpuRecord r) -> nullsLast(r.gpu().hostname()))
      .thenComparingInt(r -> r.gpu().gpuIndex())
      .thenComparing(r -> r.gpu().uuid());

  private static final Comparator<Sample> SAMPLE_CATALOGUE_ORDER = Comparator
      .comparing((Sample s) -> nullsLast(s.gpu().hostname()))
      .thenComparingInt(s -> s.gpu().gpuIndex())
      .thenComparing(s -> s.gpu().uuid())
      .thenComparing(s -> s.labels().canonical());

  private final int maxEntriesPerGpu;
  private final ConcurrentHashMap<String, GpuSeries> series = new ConcurrentHashMap<>();
  private final ContextDictionary contexts = new ContextDictionary();
  private final MetricDictionary metrics = new MetricDictionary();
  private final Footprint footprint = new Footprint();
  private final ByteBudget budget;

  /**
   * @param maxBytes most bytes the samples take, at least 1 MiB
   * @param maxEntriesPerGpu most samples per GPU; 0 = no bound but {@code maxBytes}
   */
  public MemoryTelemetryStore(long maxBytes, int maxEntriesPerGpu) {
    if (maxBytes < 1 << 20 || maxEntriesPerGpu < 0) {
      throw new IllegalArgumentException("maxBytes must be at least 1 MiB and maxEntriesPerGpu at least 0");
    }
    this.maxEntriesPerGpu = maxEntriesPerGpu;
    this.budget = new ByteBudget(maxBytes, footprint);
  }

  /** Bounded per GPU by {@code maxEntriesPerGpu} (0: not) and by the default {@code store.maxBytes}. */
  public MemoryTelemetryStore(int maxEntriesPerGpu) {
    this(ByteSizes.parse("store.maxBytes", StoreSettings.DEFAULT_MAX_BYTES, Runtime.getRuntime().maxMemory()),
        maxEntriesPerGpu);
  }

  /** Bytes the stored samples take as accounted: chunks, heads, bookkeeping (an estimate of object overhead included). */
  public long bytes() {
    return footprint.bytes();
  }

  /** Samples kept. */
  public long samples() {
    return footprint.samples();
  }

  /** Samples dropped to stay within {@code maxBytes} or {@code maxEntriesPerGPU}, since start. */
  public long evictedSamples() {
    return footprint.evicted();
  }

  public long maxBytes() {
    return budget.maxBytes();
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<Sample> samples) {
    Set<GpuSeries> late = null;
    for (Sample s : samples) {
      GpuSeries gs = series.get(s.gpu().uuid());
      if (gs == null) {
        gs = series.computeIfAbsent(s.gpu().uuid(), k -> new GpuSeries(s.gpu(), maxEntriesPerGpu, footprint));
      }
      int metric = metrics.id(s.metric(), s.labels());
      int ctx = contexts.id(s.container(), s.pod(), s.namespace(), footprint);
      boolean deferred;
      synchronized (gs) {
        deferred = gs.put(s.gpu(), s.timestampMicros(), metric, s.value(), ctx);
      }
      if (deferred) {
        if (late == null) {
          late = Collections.newSetFromMap(new IdentityHashMap<>());
        }
        late.add(gs);
      }
    }
    if (late != null) {
      // late points merge once per chunk for the whole batch, before the write completes
      for (GpuSeries gs : late) {
        synchronized (gs) {
          gs.mergeLate();
        }
      }
    }
    budget.enforce(series.values());
    return Future.succeededFuture();
  }

  @Override
  public Future<List<GpuRecord>> gpus(String hostname) {
    List<GpuRecord> out = new ArrayList<>();
    for (GpuSeries gs : series.values()) {
      GpuRecord r = record(gs);
      if (hostname == null || hostname.equals(r.gpu().hostname())) {
        out.add(r);
      }
    }
    out.sort(CATALOGUE_ORDER);
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Optional<GpuRecord>> gpu(String uuid) {
    GpuSeries gs = series.get(uuid);
    return Future.succeededFuture(gs == null ? Optional.empty() : Optional.of(record(gs)));
  }

  private static GpuRecord record(GpuSeries gs) {
    synchronized (gs) {
      return new GpuRecord(gs.gpu(), gs.firstSeen(), gs.lastSeen());
    }
  }

  @Override
  public Future<List<HostRecord>> hosts() {
    Map<String, Integer> counts = new TreeMap<>();
    for (GpuSeries gs : series.values()) {
      String host = gs.gpu().hostname();
      if (host != null) {
        counts.merge(host, 1, Integer::sum);
      }
    }
    List<HostRecord> out = new ArrayList<>();
    counts.forEach((h, n) -> out.add(new HostRecord(h, n)));
    return Future.succeededFuture(out);
  }

  @Override
  public Future<List<String>> metrics() {
    List<String> names = metrics.all();
    names.sort(null);
    return Future.succeededFuture(names);
  }

  @Override
  public Future<SamplePage> samples(SampleQuery query) {
    GpuSeries gs = series.get(query.uuid());
    if (gs == null) {
      return Future.succeededFuture(new SamplePage(List.of(), null));
    }
    List<Sample> found;
    synchronized (gs) {
      found = GpuQueries.select(gs, query, query.limit() + 1, metrics, contexts);
    }
    Cursor next = null;
    if (found.size() > query.limit()) {
      found = found.subList(0, query.limit());
      Sample last = found.get(found.size() - 1);
      next = new Cursor(last.timestampMicros(), last.metric(), last.labels().canonical());
    }
    return Future.succeededFuture(new SamplePage(List.copyOf(found), next));
  }

  @Override
  public Future<List<Bucket>> buckets(BucketQuery query) {
    GpuSeries gs = series.get(query.uuid());
    if (gs == null) {
      return Future.succeededFuture(List.of());
    }
    synchronized (gs) {
      return Future.succeededFuture(GpuQueries.buckets(gs, query, metrics));
    }
  }

  @Override
  public Future<List<Sample>> latest(String uuid) {
    GpuSeries gs = series.get(uuid);
    if (gs == null) {
      return Future.succeededFuture(List.of());
    }
    List<Sample> out;
    synchronized (gs) {
      out = gs.newest(metrics, contexts);
    }
    out.sort(Comparator.comparing(Sample::metric).thenComparing(s -> s.labels().canonical()));
    return Future.succeededFuture(List.copyOf(out));
  }

  @Override
  public Future<List<Sample>> latestOf(String metric, String hostname) {
    int nameIndex = metrics.find(metric);
    if (nameIndex < 0) {
      return Future.succeededFuture(List.of());
    }
    List<Integer> ids = metrics.seriesOf(nameIndex);
    List<Sample> out = new ArrayList<>();
    for (GpuSeries gs : series.values()) {
      synchronized (gs) {
        // one sample per label set of the metric (most metrics have only the empty one)
        for (int id : ids) {
          Sample s = gs.newest(id, metrics, contexts);
          if (s != null && (hostname == null || hostname.equals(s.gpu().hostname()))) {
            out.add(s);
          }
        }
      }
    }
    out.sort(SAMPLE_CATALOGUE_ORDER);
    return Future.succeededFuture(List.copyOf(out));
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private static String nullsLast(String s) {
    return s == null ? "\uffff" : s;
  }
}
