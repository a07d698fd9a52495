package org.gputelemetry.pipeline.store.postgres;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.postgres.Dictionaries.GpuState;

/**
 * One write's samples as the columns of {@code samples} rows: ids instead of names, one row per
 * (gpu, ts, metric, labels) with the last sample of the batch winning, sorted by the primary key. The
 * sort makes concurrent writers take row locks in the same order (no deadlock between two batches
 * that overlap, e.g. a replay) and keeps each GPU's index insertions together. Immutable once built.
 */
final class SampleRows {

  /** A GPU whose catalogue row this batch changes: a new identity, or an older first sample. */
  record CatalogueChange(int id, Gpu identity, long first) {
  }

  final int size;
  final long[] ts;
  final double[] values;
  final int[] gpuIds;
  final Integer[] placementIds;
  final short[] metricIds;
  final int[] labelsIds;
  final Set<Long> days;
  final List<CatalogueChange> changes;

  private SampleRows(int size, long[] ts, double[] values, int[] gpuIds, Integer[] placementIds, short[] metricIds,
                     int[] labelsIds, Set<Long> days, List<CatalogueChange> changes) {
    this.size = size;
    this.ts = ts;
    this.values = values;
    this.gpuIds = gpuIds;
    this.placementIds = placementIds;
    this.metricIds = metricIds;
    this.labelsIds = labelsIds;
    this.days = days;
    this.changes = changes;
  }

  /** Every id {@code samples} needs must already be in {@code dict}. */
  static SampleRows of(List<Sample> samples, Dictionaries dict) {
    int n = samples.size();
    long[] ts = new long[n];
    int[] gpu = new int[n];
    short[] metric = new short[n];
    int[] labels = new int[n];
    // Parsers share one Gpu instance per UUID: look spans up by reference first, by UUID after.
    Map<Gpu, Span> byInstance = new IdentityHashMap<>();
    Map<String, Span> spans = new HashMap<>();
    Gpu lastGpu = null;
    Span span = null;
    String lastMetric = null;
    short metricId = 0;
    Labels lastLabels = Labels.EMPTY;
    int labelsId = Dictionaries.EMPTY_LABELS;
    for (int i = 0; i < n; i++) {
      Sample s = samples.get(i);
      ts[i] = s.timestampMicros();
      if (s.gpu() != lastGpu) {
        lastGpu = s.gpu();
        span = byInstance.get(lastGpu);
        if (span == null) {
          span = spans.get(lastGpu.uuid());
          if (span == null) {
            span = new Span(required(dict.gpu(lastGpu.uuid()), lastGpu.uuid()));
            spans.put(lastGpu.uuid(), span);
          }
          byInstance.put(lastGpu, span);
        }
      }
      span.add(lastGpu, ts[i]);
      gpu[i] = span.known.id();
      if (!s.metric().equals(lastMetric)) {
        lastMetric = s.metric();
        metricId = required(dict.metricId(lastMetric), lastMetric);
      }
      metric[i] = metricId;
      if (s.labels() != lastLabels) {
        lastLabels = s.labels();
        labelsId = required(dict.labelsId(lastLabels), lastLabels);
      }
      labels[i] = labelsId;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Primary key order; equal keys keep their arrival order, so the last of a run is the latest.
    Arrays.sort(order, (a, b) -> {
      int c = Integer.compare(gpu[a], gpu[b]);
      if (c == 0) {
        c = Long.compare(ts[a], ts[b]);
      }
      if (c == 0) {
        c = Short.compare(metric[a], metric[b]);
      }
      if (c == 0) {
        c = Integer.compare(labels[a], labels[b]);
      }
      return c != 0 ? c : Integer.compare(a, b);
    });
    long[] outTs = new long[n];
    double[] outValues = new double[n];
    int[] outGpu = new int[n];
    Integer[] outPlacement = new Integer[n];
    short[] outMetric = new short[n];
    int[] outLabels = new int[n];
    Set<Long> days = new TreeSet<>();
    long lastDay = Long.MIN_VALUE;
    int size = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (k + 1 < n) {
        int j = order[k + 1];
        if (gpu[i] == gpu[j] && ts[i] == ts[j] && metric[i] == metric[j] && labels[i] == labels[j]) {
          continue; // a later sample of the same key follows
        }
      }
      Sample s = samples.get(i);
      outTs[size] = ts[i];
      outValues[size] = s.value();
      outGpu[size] = gpu[i];
      Dictionaries.Placement p = Dictionaries.Placement.of(s);
      outPlacement[size] = p == null ? null : required(dict.placementId(p), p);
      outMetric[size] = metric[i];
      outLabels[size] = labels[i];
      long day = PartitionMaintainer.day(ts[i]);
      if (day != lastDay) {
        days.add(day);
        lastDay = day;
      }
      size++;
    }
    List<CatalogueChange> changes = new ArrayList<>();
    for (Span g : spans.values()) {
      if (!g.known.covers(g.identity, g.first)) {
        changes.add(new CatalogueChange(g.known.id(), g.known.gpu().updatedBy(g.identity), g.first));
      }
    }
    changes.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return new SampleRows(size, outTs, outValues, outGpu, outPlacement, outMetric, outLabels, days,
        changes);
  }

  private static <T> T required(T id, Object name) {
    if (id == null) {
      throw new IllegalStateException("no id registered for " + name);
    }
    return id;
  }

  /** The instant in UTC, built without {@code ZoneOffset.getRules()}, which allocates on every call. */
  static OffsetDateTime timestamp(long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1_000;
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC), ZoneOffset.UTC);
  }

  OffsetDateTime[] timestamps() {
    OffsetDateTime[] out = new OffsetDateTime[size];
    for (int i = 0; i < size; i++) {
      out[i] = timestamp(ts[i]);
    }
    return out;
  }

  Double[] boxedValues() {
    Double[] out = new Double[size];
    for (int i = 0; i < size; i++) {
      out[i] = values[i];
    }
    return out;
  }

  Integer[] boxedGpuIds() {
    Integer[] out = new Integer[size];
    for (int i = 0; i < size; i++) {
      out[i] = gpuIds[i];
    }
    return out;
  }

  Integer[] boxedPlacementIds() {
    return Arrays.copyOf(placementIds, size);
  }

  Short[] boxedMetricIds() {
    Short[] out = new Short[size];
    for (int i = 0; i < size; i++) {
      out[i] = metricIds[i];
    }
    return out;
  }

  Integer[] boxedLabelsIds() {
    Integer[] out = new Integer[size];
    for (int i = 0; i < size; i++) {
      out[i] = labelsIds[i];
    }
    return out;
  }

  /** A GPU of one batch: known state, its identity as the batch's samples describe it in order, oldest timestamp. */
  private static final class Span {
    final GpuState known;
    Gpu identity;
    long first = Long.MAX_VALUE;

    Span(GpuState known) {
      this.known = known;
    }

    void add(Gpu gpu, long micros) {
      identity = identity == null ? gpu : identity.updatedBy(gpu);
      if (micros < first) {
        first = micros;
      }
    }
  }
}
