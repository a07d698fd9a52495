package org.gputelemetry.pipeline.store.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;

/**
 * The two window queries over one GPU's series: raw samples, merged across series in (timestamp,
 * metric name, label set) order, and step buckets, where a closed chunk that lies whole inside the
 * window and inside one bucket is added from its summary without decoding. Called under the GPU's lock.
 */
final class GpuQueries {

  private record Ranked(MetricSeries series, String name, String labelsText) {
  }

  private static final Comparator<Ranked> SERIES_ORDER =
      Comparator.comparing(Ranked::name).thenComparing(Ranked::labelsText);

  private GpuQueries() {
  }

  /** The GPU's non-empty series {@code query} names (all of them for no metric), in (name, label set) order. */
  private static List<Ranked> seriesOf(GpuSeries gs, String metric, MetricDictionary dictionary) {
    int only = metric == null ? -1 : dictionary.find(metric);
    List<Ranked> out = new ArrayList<>();
    if (metric != null && only < 0) {
      return out;
    }
    // a one-metric query compares name indexes, not names
    for (MetricSeries s : gs.all()) {
      if (!s.isEmpty() && (only < 0 || dictionary.nameIndex(s.id) == only)) {
        out.add(new Ranked(s, dictionary.name(s.id), dictionary.labels(s.id).canonical()));
      }
    }
    out.sort(SERIES_ORDER);
    return out;
  }

  /** Up to {@code max} samples admitted by {@code query}, in its order. */
  static List<Sample> select(GpuSeries gs, SampleQuery query, int max, MetricDictionary dictionary,
                             ContextDictionary contexts) {
    List<Ranked> ranked = seriesOf(gs, query.metric(), dictionary);
    boolean desc = query.descending();
    long lo = query.startMicros();
    long hi = query.endMicros();
    if (query.cursor() != null) {
      if (desc) {
        hi = Math.min(hi, query.cursor().timestampMicros());
      } else {
        lo = Math.max(lo, query.cursor().timestampMicros());
      }
    }
    Comparator<SeriesCursor> order = Comparator.comparingLong((SeriesCursor c) -> c.ts).thenComparingInt(c -> c.rank);
    PriorityQueue<SeriesCursor> walk = new PriorityQueue<>(Math.max(1, ranked.size()), desc ? order.reversed() : order);
    for (int r = 0; r < ranked.size(); r++) {
      Ranked s = ranked.get(r);
      SeriesCursor c = new SeriesCursor(s.series(), r, s.name(), s.labelsText(), lo, hi, desc);
      if (c.next()) {
        walk.add(c);
      }
    }
    List<Sample> out = new ArrayList<>(Math.min(max, 256));
    while (out.size() < max && !walk.isEmpty()) {
      SeriesCursor c = walk.poll();
      if (query.admits(c.ts, c.name, c.labelsText)) {
        SampleContext ctx = contexts.get(c.context);
        out.add(new Sample(gs.gpu(), c.name, c.ts, c.value, ctx.container(), ctx.pod(), ctx.namespace(),
            dictionary.labels(c.series.id)));
      }
      if (c.next()) {
        walk.add(c);
      }
    }
    return out;
  }

  /** {@code query}'s buckets, by bucket start then metric name; a metric's label sets share its buckets. */
  static List<Bucket> buckets(GpuSeries gs, BucketQuery query, MetricDictionary dictionary) {
    Map<String, TreeMap<Long, BucketAccumulator>> byName = new TreeMap<>();
    for (Ranked s : seriesOf(gs, query.metric(), dictionary)) {
      Buckets b = new Buckets(query, byName.computeIfAbsent(s.name(), k -> new TreeMap<>()));
      b.addSeries(s.series());
    }
    List<Bucket> out = new ArrayList<>();
    byName.forEach((name, buckets) -> buckets.forEach(
        (start, a) -> out.add(new Bucket(name, start, a.value(query.agg()), a.count()))));
    out.sort(Comparator.comparingLong(Bucket::startMicros)); // stable: names stay sorted within a bucket
    return out;
  }

  /** One metric's buckets being filled, remembering the bucket last used (points come in time order). */
  private static final class Buckets {
    private final BucketQuery query;
    private final TreeMap<Long, BucketAccumulator> buckets;
    private long current = Long.MIN_VALUE;
    private BucketAccumulator acc;

    Buckets(BucketQuery query, TreeMap<Long, BucketAccumulator> buckets) {
      this.query = query;
      this.buckets = buckets;
    }

    private BucketAccumulator at(long ts) {
      long bucket = query.bucketOf(ts);
      if (bucket != current || acc == null) {
        current = bucket;
        acc = buckets.computeIfAbsent(bucket, k -> new BucketAccumulator());
      }
      return acc;
    }

    void addSeries(MetricSeries s) {
      long start = query.startMicros();
      long end = query.endMicros();
      ClosedChunks chunks = s.chunks();
      for (int i = chunks.lowerBound(start); i < chunks.size() && chunks.firstTs(i) <= end; i++) {
        long first = chunks.firstTs(i);
        long last = chunks.lastTs(i);
        if (chunks.summarized(i) && first >= start && last <= end && query.bucketOf(first) == query.bucketOf(last)) {
          at(first).addSummary(chunks.count(i), chunks.sum(i), chunks.min(i), chunks.max(i), last, chunks.last(i));
        } else {
          ClosedChunks.Decoded d = chunks.points(i);
          addPoints(d.ts(), d.values(), d.size());
        }
      }
      addPoints(s.headTimestamps(), s.headValues(), s.headSize());
    }

    private void addPoints(long[] ts, double[] values, int n) {
      for (int k = 0; k < n; k++) {
        if (ts[k] >= query.startMicros() && ts[k] <= query.endMicros()) {
          at(ts[k]).add(ts[k], values[k]);
        }
      }
    }
  }
}
