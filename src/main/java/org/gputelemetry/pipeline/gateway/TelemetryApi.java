package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/v1}: the GPU catalogue, hosts, metric names and one GPU's
 * telemetry. Client mistakes get a 400 naming the parameter, an unknown GPU a 404, and a store
 * that cannot answer a 503; never a 500 for client input. Handlers run on the event loop and
 * only wait on the store's futures.
 */
public final class TelemetryApi {

  private static final Logger LOG = LoggerFactory.getLogger(TelemetryApi.class);
  public static final String BASE = "/api/v1";

  private final TelemetryStore store;
  private final Duration staleAfter;

  /** With the default {@code gateway.staleAfter}. */
  public TelemetryApi(TelemetryStore store) {
    this(store, Duration.ofMinutes(5));
  }

  /** @param staleAfter a GPU whose newest sample is older than this is {@code stale} */
  public TelemetryApi(TelemetryStore store, Duration staleAfter) {
    this.store = store;
    this.staleAfter = staleAfter;
  }

  public TelemetryStore store() {
    return store;
  }

  /** The REST routes, declared as data (the router and the OpenAPI document are built from them). */
  public List<ApiRoute> routes() {
    String uuidNote = "GPU UUID, URL-encoded: MIG ids contain '/' (MIG-GPU-.../1/0 is sent as MIG-GPU-...%2F1%2F0)";
    return List.of(
        ApiRoute.get(BASE + "/gpus", "listGpus").secured()
            .summary("List GPUs").description("Every GPU the store knows, sorted by hostname, gpu_index, uuid; each "
                + "one stale when its newest sample (last_seen) is older than gateway.staleAfter, else active.")
            .query("hostname", "only the GPUs of this host", ApiSchemas.string())
            .json(200, "the GPUs", ApiSchemas.ref(ApiSchemas.GPU_LIST))
            .error(503, "the store cannot answer")
            .handler(ctx -> respond(ctx, gpusJson(ctx.request().getParam("hostname")))),
        // GPU ids may hold '/' (MIG: MIG-GPU-.../1/0), encoded as %2F or not, hence regex routes;
        // the telemetry route comes first so that ".../telemetry" is not taken for part of an id
        ApiRoute.get(BASE + "/gpus/{uuid}/telemetry", "getGpuTelemetry").secured()
            .regex(BASE + "/gpus/(?<uuid>.+)/telemetry")
            .summary("Telemetry of one GPU")
            .description("Samples ordered by timestamp, ties by metric name (order=desc: newest first, both reversed); "
                + "the window is inclusive at both ends. Page with cursor: next_cursor is non-null exactly when more "
                + "samples match, in either order.")
            .pathParam("uuid", uuidNote, ApiSchemas.string())
            .query("start_time", "inclusive lower bound: RFC 3339 (Z or an offset), now, or now-<duration> "
                + "(e.g. now-15m; units ms, s, m, h, d)", ApiSchemas.time())
            .query("end_time", "inclusive upper bound: RFC 3339 (Z or an offset), now, or now-<duration>", ApiSchemas.time())
            .query("order", "asc (oldest first, the default) or desc (newest first: with limit, the newest samples)",
                ApiSchemas.oneOf("asc", "desc").put("default", "asc"))
            .query("metric", "only this metric (e.g. DCGM_FI_DEV_GPU_UTIL)", ApiSchemas.string())
            .query("limit", "most samples returned (default " + SampleQuery.DEFAULT_LIMIT + ")",
                ApiSchemas.integer(1, SampleQuery.MAX_LIMIT).put("default", SampleQuery.DEFAULT_LIMIT))
            .query("cursor", "the previous page's next_cursor (not with step)", ApiSchemas.string())
            .query("step", "downsample: one sample per metric and bucket of this duration (e.g. 5m; units ms, s, m, h, "
                + "d), bucket start = timestamp floored to a multiple of step since the Unix epoch; at most "
                + BucketQuery.MAX_BUCKETS + " buckets per metric in the window (narrowed to the GPU's stored span), "
                + "else a 400 naming the smallest step that fits. The answer is one page: limit does not apply",
                ApiSchemas.string().put("pattern", "^[0-9]+(ms|s|m|h|d)$"))
            .query("agg", "how a bucket's samples become its value (with step; default avg)",
                ApiSchemas.oneOf("avg", "min", "max", "sum", "count", "last").put("default", "avg"))
            .json(200, "one page of samples, or with step the buckets", new JsonObject().put("oneOf", new JsonArray()
                .add(ApiSchemas.ref(ApiSchemas.TELEMETRY_PAGE)).add(ApiSchemas.ref(ApiSchemas.BUCKET_PAGE))))
            .error(400, "a parameter is malformed (the message names it)")
            .error(404, "no GPU with this uuid")
            .error(503, "the store cannot answer")
            .handler(this::telemetry),
        ApiRoute.get(BASE + "/gpus/{uuid}/latest", "getGpuLatest").secured()
            .regex(BASE + "/gpus/(?<uuid>.+)/latest")
            .summary("Newest sample of each metric of one GPU")
            .description("One sample per metric the GPU has reported (and the store still keeps), sorted by metric name.")
            .pathParam("uuid", uuidNote, ApiSchemas.string())
            .json(200, "the newest samples", ApiSchemas.ref(ApiSchemas.GPU_LATEST))
            .error(400, "the uuid is empty or malformed")
            .error(404, "no GPU with this uuid")
            .error(503, "the store cannot answer")
            .handler(this::gpuLatest),
        ApiRoute.get(BASE + "/latest", "getLatest").secured()
            .summary("Newest sample of one metric for every GPU")
            .description("One sample per GPU that has reported the metric, in catalogue order (hostname, gpu_index, "
                + "uuid): the dashboard's first paint.")
            .requiredQuery("metric", "the metric (e.g. DCGM_FI_DEV_GPU_UTIL)", ApiSchemas.string())
            .query("hostname", "only the GPUs of this host", ApiSchemas.string())
            .json(200, "the newest samples", ApiSchemas.ref(ApiSchemas.LATEST_LIST))
            .error(400, "metric is missing, or a parameter is malformed (the message names it)")
            .error(503, "the store cannot answer")
            .handler(this::latest),
        new FleetTelemetryApi(store).route(),
        ApiRoute.get(BASE + "/gpus/{uuid}", "getGpu").secured()
            .regex(BASE + "/gpus/(?<uuid>.+)")
            .summary("One GPU")
            .pathParam("uuid", uuidNote, ApiSchemas.string())
            .json(200, "the GPU", ApiSchemas.ref(ApiSchemas.GPU))
            .error(400, "the uuid is empty or malformed")
            .error(404, "no GPU with this uuid")
            .error(503, "the store cannot answer")
            .handler(this::gpu),
        ApiRoute.get(BASE + "/metrics", "listMetrics").secured()
            .summary("Metric names").description("Distinct metric names in the store, sorted.")
            .json(200, "the metric names", ApiSchemas.ref(ApiSchemas.METRIC_LIST))
            .error(503, "the store cannot answer")
            .handler(ctx -> respond(ctx, store.metrics().map(names -> new JsonObject().put("metrics", new JsonArray(names))))),
        ApiRoute.get(BASE + "/hosts", "listHosts").secured()
            .summary("Hosts").description("Hosts with their GPU counts, sorted by hostname.")
            .json(200, "the hosts", ApiSchemas.ref(ApiSchemas.HOST_LIST))
            .error(503, "the store cannot answer")
            .handler(ctx -> respond(ctx, store.hosts().map(ApiJson::hosts))));
  }

  private void gpu(RoutingContext ctx) {
    respond(ctx, gpuJson(uuid(ctx)));
  }

  private void gpuLatest(RoutingContext ctx) {
    respond(ctx, gpuLatestJson(uuid(ctx)));
  }

  private void latest(RoutingContext ctx) {
    respond(ctx, latestJson(ctx.request().getParam("metric"), ctx.request().getParam("hostname")));
  }

  /** One GPU as REST answers it; fails with a 404 {@link ApiException} when unknown (GraphQL shares it). */
  public Future<JsonObject> gpuJson(String uuid) {
    return store.gpu(uuid).map(found -> ApiJson.gpu(found.orElseThrow(() -> notFound(uuid)), Timestamps.nowMicros(),
        staleAfter));
  }

  /** The GPU list as REST answers it (GraphQL shares it); a blank hostname means every host. */
  public Future<JsonObject> gpusJson(String hostnameParam) {
    return store.gpus(TelemetryQueryParams.blankToNull(hostnameParam))
        .map(gpus -> ApiJson.gpus(gpus, Timestamps.nowMicros(), staleAfter));
  }

  /** The newest sample of each metric of one GPU, as REST answers it. */
  public Future<JsonObject> gpuLatestJson(String uuid) {
    return store.gpu(uuid).compose(found -> {
      if (found.isEmpty()) {
        throw notFound(uuid);
      }
      return store.latest(uuid);
    }).map(samples -> {
      JsonArray arr = new JsonArray();
      samples.forEach(sample -> arr.add(ApiJson.sample(sample)));
      return new JsonObject().put("uuid", uuid).put("samples", arr);
    });
  }

  /** The newest sample of {@code metric} for every GPU (of {@code hostname}), as REST answers it. */
  public Future<JsonObject> latestJson(String metricParam, String hostnameParam) {
    String metric = TelemetryQueryParams.blankToNull(metricParam);
    if (metric == null) {
      throw ApiException.badParameter("metric", "is required (e.g. metric=DCGM_FI_DEV_GPU_UTIL)");
    }
    String hostname = TelemetryQueryParams.blankToNull(hostnameParam);
    return store.latestOf(metric, hostname).map(samples -> {
      JsonArray arr = new JsonArray();
      samples.forEach(sample -> arr.add(ApiJson.liveSample(sample)));
      return new JsonObject().put("count", samples.size()).put("samples", arr);
    });
  }

  /**
   * One GPU's telemetry as REST answers it, from the same parameters ({@code start_time},
   * {@code end_time}, {@code metric}, {@code limit}, {@code cursor}, {@code order}, {@code step},
   * {@code agg}); a malformed one throws a 400 {@link ApiException} naming it.
   */
  public Future<JsonObject> telemetryJson(String uuid, MultiMap params) {
    SampleQuery query = TelemetryQueryParams.sampleQuery(uuid, params);
    TelemetryQueryParams.Downsampling downsampling = TelemetryQueryParams.downsampling(params);
    Future<GpuRecord> gpu = store.gpu(uuid).map(found -> found.orElseThrow(() -> notFound(uuid)));
    if (downsampling != null) {
      return gpu.compose(found -> buckets(found, query, downsampling));
    }
    return gpu.compose(found -> store.samples(query)).map(page -> new JsonObject(SampleJson.page(uuid, page)));
  }

  private void telemetry(RoutingContext ctx) {
    String uuid = uuid(ctx);
    SampleQuery query = TelemetryQueryParams.sampleQuery(uuid, ctx.queryParams());
    TelemetryQueryParams.Downsampling downsampling = TelemetryQueryParams.downsampling(ctx.queryParams());
    if (downsampling != null) {
      respond(ctx, store.gpu(uuid).compose(found -> buckets(found.orElseThrow(() -> notFound(uuid)), query, downsampling)));
      return;
    }
    store.gpu(uuid).compose(found -> {
      if (found.isEmpty()) {
        throw notFound(uuid);
      }
      return store.samples(query);
    }).map(page -> SampleJson.page(uuid, page)).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  /**
   * The downsampled answer: the window is narrowed to the GPU's stored span, then bounded to
   * {@link BucketQuery#MAX_BUCKETS} buckets per metric (a 400 names the smallest whole-millisecond
   * step that fits).
   */
  private Future<JsonObject> buckets(GpuRecord gpu, SampleQuery q, TelemetryQueryParams.Downsampling d) {
    long start = Math.max(q.startMicros(), gpu.firstSeenMicros());
    long end = Math.min(q.endMicros(), gpu.lastSeenMicros());
    JsonObject answer = new JsonObject().put("uuid", gpu.gpu().uuid()).put("step", d.stepText()).put("agg", d.agg().apiName());
    if (start > end) {
      return Future.succeededFuture(answer.put("count", 0).put("samples", new JsonArray()));
    }
    TelemetryQueryParams.checkBucketCount(start, end, d.stepMicros());
    return store.buckets(new BucketQuery(gpu.gpu().uuid(), start, end, q.metric(), d.stepMicros(), d.agg()))
        .map(buckets -> {
          JsonArray samples = new JsonArray();
          for (Bucket b : buckets) {
            samples.add(new JsonObject().put("timestamp", Timestamps.format(b.startMicros())).put("metric", b.metric())
                .put("value", b.value()).put("hostname", gpu.gpu().hostname()).put("count", b.count()));
          }
          if (q.descending()) {
            JsonArray reversed = new JsonArray();
            for (int i = samples.size() - 1; i >= 0; i--) {
              reversed.add(samples.getValue(i));
            }
            samples = reversed;
          }
          return answer.put("count", samples.size()).put("samples", samples);
        });
  }

  /**
   * The {@code uuid} path parameter. Vert.x Web has percent-decoded it already (RFC 3986: '%2F' is
   * '/', '+' stays '+'), so it is not decoded again: '%25' must mean '%', not start a second escape.
   */
  private static String uuid(RoutingContext ctx) {
    String uuid = ctx.pathParam("uuid");
    if (uuid == null || uuid.isBlank()) {
      throw ApiException.badParameter("uuid", "must not be empty");
    }
    return uuid;
  }

  private static ApiException notFound(String uuid) {
    return new ApiException(404, "no GPU with uuid '" + ApiException.clip(uuid) + "'");
  }

  static void respond(RoutingContext ctx, Future<JsonObject> body) {
    body.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.json(ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  /**
   * Error responses of a store query: the API's own exceptions as they say, anything else as the
   * store being unavailable (503). The store's own message goes to the log, never to the client.
   */
  public static void fail(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ApiException api) {
      error(ctx.response(), api.status(), api.getMessage());
    } else {
      LOG.warn("Query failed: {}", failure.toString());
      error(ctx.response(), 503, "store unavailable");
    }
  }

  /** Writes the API's JSON error body ({@code {"error": "..."}}) with {@code status}, unless already answered. */
  static void error(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json").end(ApiJson.error(message).encode());
  }
}
