package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gputelemetry.pipeline.config.Durations;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.FleetQuery;
import org.gputelemetry.pipeline.store.FleetSeries;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.TelemetryStore;

/**
 * {@code GET /api/v1/telemetry}: one metric over the fleet, downsampled, one series per GPU, per
 * host or for the whole fleet. The answer is bounded: at most {@link FleetQuery#MAX_POINTS} points
 * (series times buckets per series) and {@link BucketQuery#MAX_BUCKETS} buckets per series, the
 * window narrowed to the matching GPUs' stored span first. Without {@code step} the gateway picks
 * the smallest step of a fixed ladder (1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h,
 * 3h, 6h, 12h, 1d, then whole days) that gives at most {@link #DEFAULT_BUCKETS} buckets per series
 * and fits the bound.
 */
final class FleetTelemetryApi {

  /** Buckets per series a defaulted step aims at: about one per pixel column of a chart. */
  static final int DEFAULT_BUCKETS = 500;

  private static final long[] LADDER_MILLIS = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
      600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};

  private final TelemetryStore store;

  FleetTelemetryApi(TelemetryStore store) {
    this.store = store;
  }

  ApiRoute route() {
    return ApiRoute.get(TelemetryApi.BASE + "/telemetry", "getFleetTelemetry").secured()
        .summary("One metric over the fleet, downsampled")
        .description("Epoch-aligned buckets of one metric, one series per GPU (group_by=gpu, the default), per host "
            + "(hostname) or one for the fleet (fleet); a series per GPU or host that has a sample in the window, "
            + "the fleet's always. A group's bucket combines its members: avg = sum/count over all their samples, "
            + "min/max/sum/count over the members, last = the value of the member whose newest sample in the bucket "
            + "is newest. A GPU's bucket aggregates across the label sets of its samples. At most "
            + FleetQuery.MAX_POINTS + " points (series x buckets) and " + BucketQuery.MAX_BUCKETS
            + " buckets per series, counted over the window narrowed to the GPUs' stored span; else a 400 naming "
            + "step and the smallest step that fits, or naming group_by when no step fits.")
        .requiredQuery("metric", "the metric (e.g. DCGM_FI_DEV_GPU_UTIL)", ApiSchemas.string())
        .query("hostname", "only the GPUs of this host", ApiSchemas.string())
        .query("start_time", "inclusive lower bound: RFC 3339 (Z or an offset), now, or now-<duration> "
            + "(e.g. now-15m; units ms, s, m, h, d)", ApiSchemas.time())
        .query("end_time", "inclusive upper bound: RFC 3339 (Z or an offset), now, or now-<duration>", ApiSchemas.time())
        .query("step", "bucket duration (e.g. 5m; units ms, s, m, h, d). Default: the smallest of 1s, 2s, 5s, 10s, "
            + "15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d, then whole days, that gives at most "
            + DEFAULT_BUCKETS + " buckets per series and fits the bound", ApiSchemas.string().put("pattern", "^[0-9]+(ms|s|m|h|d)$"))
        .query("agg", "how a bucket's samples become its value (default avg)",
            ApiSchemas.oneOf("avg", "min", "max", "sum", "count", "last").put("default", "avg"))
        .query("group_by", "one series per gpu (the default), per hostname, or one for the fleet",
            ApiSchemas.oneOf("gpu", "hostname", "fleet").put("default", "gpu"))
        .json(200, "the series", ApiSchemas.ref(ApiSchemas.FLEET_TELEMETRY))
        .error(400, "metric is missing, a parameter is malformed, or the answer would be too large (the message "
            + "names the parameter)")
        .error(503, "the store cannot answer")
        .handler(this::handle);
  }

  /** The request's parameters; {@code stepMicros} 0 when step is to be picked. */
  record Request(String metric, String hostname, long startMicros, long endMicros, String stepText, long stepMicros,
                 Aggregation agg, FleetQuery.GroupBy groupBy) {
  }

  static Request parse(MultiMap params, long nowMicros) {
    String metric = TelemetryQueryParams.blankToNull(params.get("metric"));
    if (metric == null) {
      throw ApiException.badParameter("metric", "is required (e.g. metric=DCGM_FI_DEV_GPU_UTIL)");
    }
    long start = TelemetryQueryParams.time(params, "start_time", Long.MIN_VALUE, nowMicros);
    long end = TelemetryQueryParams.time(params, "end_time", Long.MAX_VALUE, nowMicros);
    if (start > end) {
      throw ApiException.badParameter("start_time", "is after end_time");
    }
    String groupText = TelemetryQueryParams.blankToNull(params.get("group_by"));
    FleetQuery.GroupBy groupBy = groupText == null ? FleetQuery.GroupBy.GPU : FleetQuery.GroupBy.fromApiName(groupText);
    if (groupBy == null) {
      throw ApiException.badParameter("group_by", "expected gpu, hostname or fleet, got '" + ApiException.clip(groupText) + "'");
    }
    MultiMap withStep = MultiMap.caseInsensitiveMultiMap().addAll(params);
    boolean picked = TelemetryQueryParams.blankToNull(params.get("step")) == null;
    if (picked) {
      withStep.set("step", "1s"); // parses agg and cursor as the per-GPU query does; the step is picked later
    }
    TelemetryQueryParams.Downsampling d = TelemetryQueryParams.downsampling(withStep);
    return new Request(metric, TelemetryQueryParams.blankToNull(params.get("hostname")), start, end,
        picked ? null : d.stepText(), picked ? 0 : d.stepMicros(), d.agg(), groupBy);
  }

  private void handle(RoutingContext ctx) {
    TelemetryApi.respond(ctx, fleetJson(ctx.queryParams()));
  }

  /** The answer to the query {@code params}, REST's and GraphQL's; a bad parameter throws {@link ApiException}. */
  Future<JsonObject> fleetJson(MultiMap params) {
    Request r = parse(params, Timestamps.nowMicros());
    return store.gpus(r.hostname()).compose(gpus -> answer(r, gpus));
  }

  /** The answer for {@code gpus}, the catalogue (of the host) the request covers. */
  Future<JsonObject> answer(Request r, List<GpuRecord> gpus) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    Set<String> hosts = new HashSet<>();
    int members = 0;
    for (GpuRecord g : gpus) {
      if (g.lastSeenMicros() >= r.startMicros() && g.firstSeenMicros() <= r.endMicros()) {
        first = Math.min(first, g.firstSeenMicros());
        last = Math.max(last, g.lastSeenMicros());
        hosts.add(String.valueOf(g.gpu().hostname()));
        members++;
      }
    }
    int series = switch (r.groupBy()) {
      case GPU -> members;
      case HOSTNAME -> hosts.size();
      case FLEET -> 1;
    };
    // a group's last looks up each member's newest sample per bucket: bounded as if each GPU were a series
    int weight = r.agg() == Aggregation.LAST && r.groupBy() != FleetQuery.GroupBy.GPU ? members : series;
    String what = weight == series ? series + " series" : members + " GPUs (agg=last counts each GPU of a group)";
    long start = Math.max(r.startMicros(), first);
    long end = Math.min(r.endMicros(), last);
    int perSeries = weight == 0 ? BucketQuery.MAX_BUCKETS : Math.min(BucketQuery.MAX_BUCKETS, FleetQuery.MAX_POINTS / weight);
    if (perSeries < 2) {
      throw ApiException.badParameter("group_by", "this request would give " + what + ", too many to fit "
          + FleetQuery.MAX_POINTS + " points at any step: narrow it with hostname, or use group_by=hostname or fleet"
          + (weight == series ? "" : " with another agg"));
    }
    String stepText = r.stepText();
    long step = r.stepMicros();
    if (step == 0) {
      long millis = start > end ? LADDER_MILLIS[0] : pickStepMillis(end - start, Math.min(DEFAULT_BUCKETS, perSeries));
      stepText = Durations.format(Duration.ofMillis(millis));
      step = millis * 1_000L;
    }
    JsonObject answer = new JsonObject().put("metric", r.metric()).put("step", stepText).put("agg", r.agg().apiName())
        .put("group_by", r.groupBy().apiName());
    if (start > end) {
      JsonArray none = new JsonArray();
      if (r.groupBy() == FleetQuery.GroupBy.FLEET) {
        none.add(new JsonObject().put("samples", new JsonArray()));
      }
      return Future.succeededFuture(answer.put("series", none));
    }
    long buckets = BucketQuery.bucketCount(start, end, step);
    if (buckets > perSeries) {
      long fits = smallestFit(end - start, perSeries);
      long fitsMillis = Math.max(1, Math.floorDiv(fits + 999, 1000));
      throw ApiException.badParameter("step", "this window would give " + what + " x " + buckets
          + " buckets, more than the " + perSeries + " buckets per series that fit (at most " + FleetQuery.MAX_POINTS
          + " points, " + BucketQuery.MAX_BUCKETS + " per series): use step="
          + Durations.format(Duration.ofMillis(fitsMillis)) + " or longer");
    }
    FleetQuery q = new FleetQuery(r.metric(), r.hostname(), start, end, step, r.agg(), r.groupBy());
    return store.fleetBuckets(q).map(list -> {
      JsonArray out = new JsonArray();
      for (FleetSeries s : list) {
        JsonObject o = new JsonObject();
        if (s.uuid() != null) {
          o.put("uuid", s.uuid());
        }
        if (r.groupBy() != FleetQuery.GroupBy.FLEET) {
          o.put("hostname", s.hostname());
        }
        JsonArray samples = new JsonArray();
        for (Bucket b : s.buckets()) {
          samples.add(new JsonObject().put("timestamp", Timestamps.format(b.startMicros())).put("value", b.value())
              .put("count", b.count()));
        }
        out.add(o.put("samples", samples));
      }
      return answer.put("series", out);
    });
  }

  /** The smallest step (micros) with at most {@code max} buckets over any window {@code lengthMicros} long. */
  private static long smallestFit(long lengthMicros, int max) {
    // a window of L+1 microseconds spans at most ceil((L+1)/step)+1 buckets
    return Math.floorDiv(lengthMicros + 1 + max - 2, max - 1);
  }

  /** The smallest ladder step (milliseconds) with at most {@code max} buckets over a window this long. */
  static long pickStepMillis(long lengthMicros, int max) {
    long fitsMillis = Math.max(1, Math.floorDiv(smallestFit(lengthMicros, max) + 999, 1000));
    for (long candidate : LADDER_MILLIS) {
      if (candidate >= fitsMillis) {
        return candidate;
      }
    }
    long day = LADDER_MILLIS[LADDER_MILLIS.length - 1];
    return Math.floorDiv(fitsMillis + day - 1, day) * day;
  }
}
