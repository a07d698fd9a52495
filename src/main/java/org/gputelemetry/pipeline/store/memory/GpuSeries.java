package org.gputelemetry.pipeline.store.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;

/**
 * One GPU's bounded history, kept sorted by timestamp in a circular buffer of primitive arrays
 * (stored samples are not objects, so millions of them cost the garbage collector nothing).
 * Appends in time order are O(1); a late sample is inserted in place; the oldest is dropped
 * when full. Not thread-safe by itself: {@link MemoryTelemetryStore} locks each series.
 */
final class GpuSeries {

  private static final int INITIAL_CAPACITY = 64;
  // samples of one instant: by metric name, then by labels (series of one metric told apart by them)
  private static final Comparator<Sample> SAME_INSTANT_ORDER =
      Comparator.comparing(Sample::metric).thenComparing(s -> s.labels().canonical());

  private final int maxEntries;
  private Gpu gpu;
  private long[] timestamps;
  private double[] values;
  private int[] metrics;
  private SampleContext[] contexts;
  private int head;
  private int size;
  // the newest sample of each metric, by metric id (Long.MIN_VALUE: none kept), so that latest is O(1)
  private long[] newestTs = new long[0];
  private double[] newestValue = new double[0];
  private SampleContext[] newestContext = new SampleContext[0];
  private long firstSeen = Long.MAX_VALUE;
  private long lastSeen = Long.MIN_VALUE;

  GpuSeries(Gpu gpu, int maxEntries) {
    this.gpu = gpu;
    this.maxEntries = maxEntries;
    int cap = Math.min(INITIAL_CAPACITY, maxEntries);
    timestamps = new long[cap];
    values = new double[cap];
    metrics = new int[cap];
    contexts = new SampleContext[cap];
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

  int size() {
    return size;
  }

  /** Adds a sample; an existing (timestamp, metric) gets the new value. */
  void put(Gpu identity, long ts, int metric, double value, SampleContext ctx) {
    gpu = gpu.updatedBy(identity); // the newest identity, keeping attributes it does not say
    firstSeen = Math.min(firstSeen, ts);
    lastSeen = Math.max(lastSeen, ts);
    if (size == 0 || ts > timestampAt(size - 1)) {
      append(ts, metric, value, ctx);
      return;
    }
    int pos = upperBound(ts);
    for (int i = pos - 1; i >= 0 && timestampAt(i) == ts; i--) {
      if (metrics[physical(i)] == metric) {
        int p = physical(i);
        values[p] = value;
        contexts[p] = ctx;
        noteNewest(ts, metric, value, ctx);
        return;
      }
    }
    if (size == timestamps.length && !grow()) {
      if (pos == 0) {
        return; // older than everything kept in a full buffer: it would be the one evicted
      }
      forgetEvicted();
      head = physical(1);
      size--;
      pos--;
    }
    // shift [pos, size) right by one, then write at pos
    for (int i = size; i > pos; i--) {
      int to = physical(i);
      int from = physical(i - 1);
      timestamps[to] = timestamps[from];
      values[to] = values[from];
      metrics[to] = metrics[from];
      contexts[to] = contexts[from];
    }
    write(physical(pos), ts, metric, value, ctx);
    size++;
    noteNewest(ts, metric, value, ctx);
  }

  private void append(long ts, int metric, double value, SampleContext ctx) {
    if (size == timestamps.length && !grow()) {
      forgetEvicted();
      head = physical(1);
      size--;
    }
    write(physical(size), ts, metric, value, ctx);
    size++;
    noteNewest(ts, metric, value, ctx);
  }

  private void noteNewest(long ts, int metric, double value, SampleContext ctx) {
    if (metric >= newestTs.length) {
      int n = Math.max(metric + 1, newestTs.length * 2);
      int old = newestTs.length;
      newestTs = Arrays.copyOf(newestTs, n);
      Arrays.fill(newestTs, old, n, Long.MIN_VALUE);
      newestValue = Arrays.copyOf(newestValue, n);
      newestContext = Arrays.copyOf(newestContext, n);
    }
    if (ts >= newestTs[metric]) {
      newestTs[metric] = ts;
      newestValue[metric] = value;
      newestContext[metric] = ctx;
    }
  }

  /**
   * Before the oldest entry is dropped: when it is also its metric's newest, it is that metric's
   * only sample left (the others are older still), so the metric has no newest any more.
   */
  private void forgetEvicted() {
    int p = physical(0);
    int m = metrics[p];
    if (newestTs[m] == timestamps[p]) {
      newestTs[m] = Long.MIN_VALUE;
      newestContext[m] = null;
    }
  }

  /** The newest sample of series {@code id}, or null when none is kept. */
  Sample newest(int id, MetricDictionary dictionary) {
    if (id < 0 || id >= newestTs.length || newestTs[id] == Long.MIN_VALUE) {
      return null;
    }
    SampleContext c = newestContext[id];
    return new Sample(gpu, dictionary.name(id), newestTs[id], newestValue[id], c.container(), c.pod(), c.namespace(),
        dictionary.labels(id));
  }

  /** The newest sample of each series (metric and labels), in series id order. */
  List<Sample> newest(MetricDictionary dictionary) {
    List<Sample> out = new ArrayList<>();
    for (int id = 0; id < newestTs.length; id++) {
      Sample s = newest(id, dictionary);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private void write(int p, long ts, int metric, double value, SampleContext ctx) {
    timestamps[p] = ts;
    values[p] = value;
    metrics[p] = metric;
    contexts[p] = ctx;
  }

  /** Doubles the arrays up to {@code maxEntries}; false when already at the bound. */
  private boolean grow() {
    int cap = timestamps.length;
    if (cap >= maxEntries) {
      return false;
    }
    int next = (int) Math.min((long) cap * 2, maxEntries);
    timestamps = linearized(timestamps, next);
    values = linearized(values, next);
    metrics = linearized(metrics, next);
    contexts = linearized(contexts, next);
    head = 0;
    return true;
  }

  private long[] linearized(long[] a, int cap) {
    long[] out = new long[cap];
    for (int i = 0; i < size; i++) {
      out[i] = a[physical(i)];
    }
    return out;
  }

  private double[] linearized(double[] a, int cap) {
    double[] out = new double[cap];
    for (int i = 0; i < size; i++) {
      out[i] = a[physical(i)];
    }
    return out;
  }

  private int[] linearized(int[] a, int cap) {
    int[] out = new int[cap];
    for (int i = 0; i < size; i++) {
      out[i] = a[physical(i)];
    }
    return out;
  }

  private SampleContext[] linearized(SampleContext[] a, int cap) {
    SampleContext[] out = new SampleContext[cap];
    for (int i = 0; i < size; i++) {
      out[i] = a[physical(i)];
    }
    return out;
  }

  private int physical(int logical) {
    int p = head + logical;
    return p >= timestamps.length ? p - timestamps.length : p;
  }

  private long timestampAt(int logical) {
    return timestamps[physical(logical)];
  }

  /** First logical index whose timestamp is greater than {@code ts}. */
  private int upperBound(long ts) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (timestampAt(mid) <= ts) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** First logical index whose timestamp is at least {@code ts}. */
  private int lowerBound(long ts) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (timestampAt(mid) < ts) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Up to {@code max} samples admitted by {@code query}, in (timestamp, metric name) order.
   * Samples sharing a timestamp are stored in arrival order, so each such group is sorted by name.
   */
  List<Sample> select(SampleQuery query, int max, MetricDictionary dictionary) {
    if (query.descending()) {
      return selectDescending(query, max, dictionary);
    }
    long from = query.startMicros();
    if (query.cursor() != null) {
      from = Math.max(from, query.cursor().timestampMicros());
    }
    // a one-metric query compares ids, not names: the window holds every metric's samples
    // (measured in one run: a one-minute, one-metric window of 2,430 samples in 16 us instead of 21 us)
    int only = query.metric() == null ? -1 : dictionary.find(query.metric());
    if (query.metric() != null && only < 0) {
      return List.of();
    }
    List<Sample> out = new ArrayList<>(Math.min(max, 256));
    List<Sample> group = new ArrayList<>();
    int i = lowerBound(from);
    while (i < size && out.size() < max) {
      long ts = timestampAt(i);
      if (ts > query.endMicros()) {
        break;
      }
      group.clear();
      for (; i < size && timestampAt(i) == ts; i++) {
        int p = physical(i);
        if (only >= 0 && dictionary.nameIndex(metrics[p]) != only) {
          continue;
        }
        String name = dictionary.name(metrics[p]);
        if (query.admits(ts, name, dictionary.labels(metrics[p]).canonical())) {
          SampleContext c = contexts[p];
          group.add(new Sample(gpu, name, ts, values[p], c.container(), c.pod(), c.namespace(), dictionary.labels(metrics[p])));
        }
      }
      if (group.size() > 1) {
        group.sort(SAME_INSTANT_ORDER);
      }
      for (int g = 0; g < group.size() && out.size() < max; g++) {
        out.add(group.get(g));
      }
    }
    return out;
  }

  /** {@code query}'s buckets, by bucket start then metric name. */
  List<Bucket> buckets(BucketQuery query, MetricDictionary dictionary) {
    int only = query.metric() == null ? -1 : dictionary.find(query.metric());
    if (query.metric() != null && only < 0) {
      return List.of();
    }
    List<Bucket> out = new ArrayList<>();
    TreeMap<String, Accumulator> open = new TreeMap<>();
    long current = Long.MIN_VALUE;
    for (int i = lowerBound(query.startMicros()); i < size; i++) {
      long ts = timestampAt(i);
      if (ts > query.endMicros()) {
        break;
      }
      int p = physical(i);
      if (only >= 0 && dictionary.nameIndex(metrics[p]) != only) {
        continue;
      }
      long bucket = query.bucketOf(ts);
      if (bucket != current) {
        flush(open, current, query.agg(), out);
        current = bucket;
      }
      open.computeIfAbsent(dictionary.name(metrics[p]), k -> new Accumulator()).add(ts, values[p]);
    }
    flush(open, current, query.agg(), out);
    return out;
  }

  private static void flush(TreeMap<String, Accumulator> open, long bucket, Aggregation agg, List<Bucket> out) {
    open.forEach((metric, a) -> out.add(new Bucket(metric, bucket, a.value(agg), a.count)));
    open.clear();
  }

  /** One metric's running aggregate over one bucket. */
  private static final class Accumulator {
    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long lastTs = Long.MIN_VALUE;
    double last;

    void add(long ts, double v) {
      count++;
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (ts >= lastTs) {
        lastTs = ts;
        last = v;
      }
    }

    double value(Aggregation agg) {
      return switch (agg) {
        case AVG -> sum / count;
        case MIN -> min;
        case MAX -> max;
        case SUM -> sum;
        case COUNT -> count;
        case LAST -> last;
      };
    }
  }

  /** As {@link #select}, newest first: (timestamp, metric name) order reversed. */
  private List<Sample> selectDescending(SampleQuery query, int max, MetricDictionary dictionary) {
    long to = query.endMicros();
    if (query.cursor() != null) {
      to = Math.min(to, query.cursor().timestampMicros());
    }
    int only = query.metric() == null ? -1 : dictionary.find(query.metric());
    if (query.metric() != null && only < 0) {
      return List.of();
    }
    List<Sample> out = new ArrayList<>(Math.min(max, 256));
    List<Sample> group = new ArrayList<>();
    int i = upperBound(to) - 1;
    while (i >= 0 && out.size() < max) {
      long ts = timestampAt(i);
      if (ts < query.startMicros()) {
        break;
      }
      group.clear();
      for (; i >= 0 && timestampAt(i) == ts; i--) {
        int p = physical(i);
        if (only >= 0 && dictionary.nameIndex(metrics[p]) != only) {
          continue;
        }
        String name = dictionary.name(metrics[p]);
        if (query.admits(ts, name, dictionary.labels(metrics[p]).canonical())) {
          SampleContext c = contexts[p];
          group.add(new Sample(gpu, name, ts, values[p], c.container(), c.pod(), c.namespace(), dictionary.labels(metrics[p])));
        }
      }
      if (group.size() > 1) {
        group.sort(SAME_INSTANT_ORDER.reversed());
      }
      for (int g = 0; g < group.size() && out.size() < max; g++) {
        out.add(group.get(g));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return gpu.uuid() + Arrays.toString(new int[] {size, timestamps.length});
  }
}
