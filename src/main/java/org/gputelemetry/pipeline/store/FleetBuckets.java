package org.gputelemetry.pipeline.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link TelemetryStore#fleetBuckets}'s default: the catalogue, then each GPU's buckets one GPU at
 * a time (a store's connections are not flooded), combined per group. A group's bucket is:
 * avg = sum of the members' sums / sum of their counts; min, max: of the members'; sum, count:
 * summed; last = the value of the member whose last sample in the bucket is newest (ties: the first
 * member in catalogue order), each member's newest timestamp read with one newest-first sample
 * lookup per bucket shared by two or more members. A GPU's own bucket already aggregates across its
 * label sets, as {@link TelemetryStore#buckets} does.
 */
final class FleetBuckets {

  private FleetBuckets() {
  }

  /** One member's bucket, with the time of its newest sample in it once looked up (else MIN_VALUE). */
  private record Part(String uuid, Bucket bucket, long lastMicros) {
  }

  static Future<List<FleetSeries>> compose(TelemetryStore store, FleetQuery q) {
    return store.gpus(q.hostname()).compose(gpus -> {
      boolean perGpu = q.groupBy() == FleetQuery.GroupBy.GPU;
      // a group's average needs its members' sums (the counts come with every bucket)
      Aggregation memberAgg = !perGpu && q.agg() == Aggregation.AVG ? Aggregation.SUM : q.agg();
      Map<String, List<Part>> groups = new LinkedHashMap<>();
      Map<String, String> hostOf = new LinkedHashMap<>();
      if (q.groupBy() == FleetQuery.GroupBy.FLEET) {
        groups.put("", new ArrayList<>());
      }
      Future<Void> chain = Future.succeededFuture();
      for (GpuRecord gpu : gpus) {
        if (gpu.lastSeenMicros() < q.startMicros() || gpu.firstSeenMicros() > q.endMicros()) {
          continue;
        }
        String uuid = gpu.gpu().uuid();
        String key = switch (q.groupBy()) {
          case GPU -> uuid;
          case HOSTNAME -> gpu.gpu().hostname();
          case FLEET -> "";
        };
        chain = chain.compose(v -> store.buckets(new BucketQuery(uuid, q.startMicros(), q.endMicros(), q.metric(),
            q.stepMicros(), memberAgg))).map(buckets -> {
              if (!buckets.isEmpty()) {
                hostOf.putIfAbsent(key, gpu.gpu().hostname());
                List<Part> group = groups.computeIfAbsent(key, k -> new ArrayList<>());
                buckets.forEach(b -> group.add(new Part(uuid, b, Long.MIN_VALUE)));
              }
              return null;
            });
      }
      return chain.compose(v -> {
        List<FleetSeries> series = new ArrayList<>();
        Future<Void> done = Future.succeededFuture();
        for (Map.Entry<String, List<Part>> group : groups.entrySet()) {
          String key = group.getKey();
          done = done.compose(x -> combine(store, q, group.getValue()).map(buckets -> {
            series.add(switch (q.groupBy()) {
              case GPU -> new FleetSeries(key, hostOf.get(key), buckets);
              case HOSTNAME -> new FleetSeries(null, key, buckets);
              case FLEET -> new FleetSeries(null, null, buckets);
            });
            return null;
          }));
        }
        return done.map(x -> series);
      });
    });
  }

  /** One group's parts (added member by member in catalogue order) as one series. */
  private static Future<List<Bucket>> combine(TelemetryStore store, FleetQuery q, List<Part> parts) {
    TreeMap<Long, List<Part>> byStart = new TreeMap<>();
    for (Part p : parts) {
      byStart.computeIfAbsent(p.bucket().startMicros(), k -> new ArrayList<>()).add(p);
    }
    Future<Void> stamped = Future.succeededFuture();
    if (q.agg() == Aggregation.LAST) {
      for (Map.Entry<Long, List<Part>> e : byStart.entrySet()) {
        List<Part> ps = e.getValue();
        if (ps.size() < 2) {
          continue;
        }
        long from = Math.max(q.startMicros(), e.getKey());
        long to = Math.min(q.endMicros(), e.getKey() + (q.stepMicros() - 1));
        for (int i = 0; i < ps.size(); i++) {
          int index = i;
          Part p = ps.get(i);
          stamped = stamped.compose(v -> store.samples(new SampleQuery(p.uuid(), from, to, q.metric(), 1, null, true)))
              .map(page -> {
                long last = page.samples().isEmpty() ? Long.MIN_VALUE : page.samples().get(0).timestampMicros();
                ps.set(index, new Part(p.uuid(), p.bucket(), last));
                return null;
              });
        }
      }
    }
    return stamped.map(v -> {
      List<Bucket> out = new ArrayList<>(byStart.size());
      byStart.forEach((start, ps) -> out.add(combine(q, start, ps)));
      return out;
    });
  }

  private static Bucket combine(FleetQuery q, long start, List<Part> ps) {
    if (ps.size() == 1) {
      Bucket only = ps.get(0).bucket();
      return q.agg() == Aggregation.AVG && q.groupBy() != FleetQuery.GroupBy.GPU ? new Bucket(only.metric(), start, only.value() / only.count(), only.count())
          : only;
    }
    long count = 0;
    double value = switch (q.agg()) {
      case MIN -> Double.POSITIVE_INFINITY;
      case MAX -> Double.NEGATIVE_INFINITY;
      default -> 0;
    };
    Part newest = null;
    for (Part p : ps) {
      Bucket b = p.bucket();
      count += b.count();
      switch (q.agg()) {
        case MIN -> value = Math.min(value, b.value());
        case MAX -> value = Math.max(value, b.value());
        case AVG, SUM, COUNT -> value += b.value();
        case LAST -> {
          if (newest == null || p.lastMicros() > newest.lastMicros()) {
            newest = p;
          }
        }
        default -> throw new IllegalStateException(q.agg().name());
      }
    }
    if (q.agg() == Aggregation.AVG) {
      value = value / count;
    } else if (q.agg() == Aggregation.LAST) {
      value = newest.bucket().value();
    }
    return new Bucket(q.metric(), start, value, count);
  }
}
