package org.gputelemetry.pipeline.store.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;

/**
 * One GPU's history: a {@link MetricSeries} per series (metric and label set), indexed by the
 * series id of the {@link MetricDictionary}. Keeps the GPU's sample count (bounded by
 * {@code maxEntries} when that is above 0, the GPU's oldest point dropped first) and reports every
 * change of bytes and samples to the store's {@link Footprint}. Not thread-safe by itself:
 * {@link MemoryTelemetryStore} locks each GPU.
 */
final class GpuSeries {

  /** This object, its map entry and key, its {@link Gpu} (estimated). */
  private static final int FIXED_BYTES = 320;

  private final int maxEntries;
  private final Footprint footprint;
  private Gpu gpu;
  private MetricSeries[] series = new MetricSeries[0];
  private final List<MetricSeries> withLate = new ArrayList<>(2);
  private long samples;
  private long firstSeen = Long.MAX_VALUE;
  private long lastSeen = Long.MIN_VALUE;

  GpuSeries(Gpu gpu, int maxEntries, Footprint footprint) {
    this.gpu = gpu;
    this.maxEntries = maxEntries;
    this.footprint = footprint;
    footprint.add(FIXED_BYTES, 0);
  }

  Gpu gpu() {
    return gpu;
  }

  long firstSeen() {
    return firstSeen;
  }

  long lastSeen() {
    return lastSeen;
  }

  /** The series of id {@code id}, or null when this GPU has none. */
  MetricSeries series(int id) {
    return id < series.length ? series[id] : null;
  }

  /** Every series this GPU has (some possibly empty after eviction), in id order. */
  List<MetricSeries> all() {
    List<MetricSeries> out = new ArrayList<>(series.length);
    for (MetricSeries s : series) {
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Adds a point; an existing (timestamp, series) gets the new value. Returns true when the point
   * waits in a late buffer: call {@link #mergeLate} before the write completes.
   */
  boolean put(Gpu identity, long ts, int id, double value, int context) {
    gpu = gpu.updatedBy(identity); // the newest identity, keeping attributes it does not say
    firstSeen = Math.min(firstSeen, ts);
    lastSeen = Math.max(lastSeen, ts);
    MetricSeries s = seriesFor(id);
    long before = s.bytes();
    int added = s.put(ts, value, context);
    if (added < 0) {
      if (!withLate.contains(s)) {
        withLate.add(s);
      }
      footprint.add(s.bytes() - before, 0);
      return true;
    }
    changed(s.bytes() - before, added);
    trim();
    return false;
  }

  /** Merges every late point waiting in this GPU's series into its closed chunks. */
  void mergeLate() {
    for (MetricSeries s : withLate) {
      long before = s.bytes();
      int added = s.mergeLate();
      changed(s.bytes() - before, added);
    }
    withLate.clear();
    trim();
  }

  private MetricSeries seriesFor(int id) {
    if (id >= series.length) {
      int n = Math.max(id + 1, series.length * 2);
      footprint.add(4L * (n - series.length), 0);
      series = Arrays.copyOf(series, n);
    }
    MetricSeries s = series[id];
    if (s == null) {
      s = new MetricSeries(id);
      series[id] = s;
      footprint.add(s.bytes(), 0);
    }
    return s;
  }

  private void changed(long bytes, long points) {
    samples += points;
    footprint.add(bytes, points);
  }

  /** Drops this GPU's oldest points while it keeps more than {@code maxEntries}. */
  private void trim() {
    while (maxEntries > 0 && samples > maxEntries) {
      MetricSeries oldest = null;
      for (MetricSeries s : series) {
        if (s != null && !s.isEmpty() && (oldest == null || s.oldestTs() < oldest.oldestTs())) {
          oldest = s;
        }
      }
      long before = oldest.bytes();
      oldest.dropOldestPoint();
      changed(oldest.bytes() - before, -1);
      footprint.evicted(1);
    }
  }

  /** The end of series {@code id}'s oldest closed chunk, or {@link Long#MAX_VALUE} when it has none. */
  long oldestChunkEnd(int id) {
    MetricSeries s = series(id);
    return s == null || s.chunks().size() == 0 ? Long.MAX_VALUE : s.chunks().lastTs(0);
  }

  /** Drops series {@code id}'s oldest closed chunk (it must have one); returns the samples dropped. */
  int evictOldestChunk(int id) {
    MetricSeries s = series[id];
    long before = s.bytes();
    int dropped = s.chunks().dropOldest();
    changed(s.bytes() - before, -dropped);
    footprint.evicted(dropped);
    return dropped;
  }

  /** The newest sample of series {@code id}, or null when none is kept. */
  Sample newest(int id, MetricDictionary dictionary, ContextDictionary contexts) {
    MetricSeries s = series(id);
    if (s == null || s.isEmpty()) {
      return null;
    }
    SampleContext c = contexts.get(s.newestContext());
    return new Sample(gpu, dictionary.name(id), s.newestTs(), s.newestValue(), c.container(), c.pod(), c.namespace(),
        dictionary.labels(id));
  }

  /** The newest sample of each series (metric and labels), in series id order. */
  List<Sample> newest(MetricDictionary dictionary, ContextDictionary contexts) {
    List<Sample> out = new ArrayList<>();
    for (int id = 0; id < series.length; id++) {
      Sample s = newest(id, dictionary, contexts);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return gpu.uuid() + "[" + samples + " samples]";
  }
}
