package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.FleetQuery;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /api/v1/telemetry} on a gateway over a filled memory store: answers, defaults, and its 400s. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetTelemetryIT {

  private static final long T0 = Timestamps.parseMicros("2025-07-18T20:00:00Z");
  private static final int GPUS = 30;
  private Vertx vertx;
  private WebClient client;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    MemoryTelemetryStore store = new MemoryTelemetryStore(100_000);
    List<Sample> samples = new ArrayList<>();
    for (int g = 0; g < GPUS; g++) {
      Gpu gpu = new Gpu("GPU-" + g, g % 10, "nvidia" + g % 10, "H100", "host-" + g / 10);
      // one sample a minute for 10 hours: 600 per GPU
      for (int i = 0; i < 600; i++) {
        samples.add(new Sample(gpu, "util", T0 + i * 60_000_000L + g, g, null, null, null));
      }
    }
    await(store.write(samples));
    PipelineVerticle p = Pipelines.deploy(vertx, new JsonObject().put("roles", new JsonArray().add("gateway"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")), store);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(p.gatewayPort()));
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private JsonObject ok(String uri) {
    HttpResponse<Buffer> r = await(client.get(uri).send());
    assertEquals(200, r.statusCode(), uri + " " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private String error(String uri) {
    HttpResponse<Buffer> r = await(client.get(uri).send());
    assertEquals(400, r.statusCode(), uri + " " + r.bodyAsString());
    return r.bodyAsJsonObject().getString("error");
  }

  @Test
  void seriesPerGpuPerHostAndForTheFleet() {
    JsonObject perGpu = ok("/api/v1/telemetry?metric=util&step=1h&agg=avg");
    assertEquals("1h", perGpu.getString("step"));
    assertEquals(GPUS, perGpu.getJsonArray("series").size());
    JsonObject first = perGpu.getJsonArray("series").getJsonObject(0);
    assertEquals("GPU-0", first.getString("uuid"));
    assertEquals("host-0", first.getString("hostname"));
    assertEquals(10, first.getJsonArray("samples").size()); // 20:00..05:59 -> ten hours
    assertEquals(60, first.getJsonArray("samples").getJsonObject(0).getLong("count"));

    JsonObject perHost = ok("/api/v1/telemetry?metric=util&step=1h&group_by=hostname");
    assertEquals(3, perHost.getJsonArray("series").size());
    JsonObject host1 = perHost.getJsonArray("series").getJsonObject(1);
    assertEquals("host-1", host1.getString("hostname"));
    assertTrue(!host1.containsKey("uuid"));
    JsonObject bucket = host1.getJsonArray("samples").getJsonObject(0);
    assertEquals(600, bucket.getLong("count")); // ten GPUs x 60 samples
    assertEquals(14.5, bucket.getDouble("value"), 1e-9); // GPUs 10..19 report their number

    JsonObject fleet = ok("/api/v1/telemetry?metric=util&step=1h&agg=max&group_by=fleet");
    JsonObject only = fleet.getJsonArray("series").getJsonObject(0);
    assertEquals(1, fleet.getJsonArray("series").size());
    assertEquals(29.0, only.getJsonArray("samples").getJsonObject(0).getDouble("value"));
    // last: the newest sample of each bucket is GPU 29's (its timestamps are offset by its number)
    JsonObject last = ok("/api/v1/telemetry?metric=util&step=1h&agg=last&group_by=fleet");
    assertEquals(29.0, last.getJsonArray("series").getJsonObject(0).getJsonArray("samples").getJsonObject(0)
        .getDouble("value"));
    JsonObject oneHost = ok("/api/v1/telemetry?metric=util&step=1h&hostname=host-2");
    assertEquals(10, oneHost.getJsonArray("series").size());
    assertEquals(1, ok("/api/v1/telemetry?metric=none&group_by=fleet").getJsonArray("series").size());
    assertEquals(0, ok("/api/v1/telemetry?metric=none").getJsonArray("series").size());
  }

  @Test
  void withoutStepTheGatewayPicksOneThatKeepsSeriesNearFiveHundredPoints() {
    JsonObject fleet = ok("/api/v1/telemetry?metric=util&group_by=fleet");
    // ten hours in at most 500 buckets: 72s, rounded up the ladder to 2m
    assertEquals("2m", fleet.getString("step"));
    assertTrue(fleet.getJsonArray("series").getJsonObject(0).getJsonArray("samples").size() <= 500);
    assertEquals(120_000L, FleetTelemetryApi.pickStepMillis(10 * 3_600_000_000L - 1, 500));
    assertEquals(1_000L, FleetTelemetryApi.pickStepMillis(10_000_000L, 500));
    assertEquals(3 * 86_400_000L, FleetTelemetryApi.pickStepMillis(1000 * 86_400_000_000L, 500));
    // 30 series: 100,000 points leave 3,333 buckets each, the default still aims at 500
    assertEquals("2m", ok("/api/v1/telemetry?metric=util").getString("step"));
  }

  @Test
  void tooManyPointsIs400NamingStepAndAStepThatFits() {
    String e = error("/api/v1/telemetry?metric=util&step=1s");
    assertTrue(e.contains("parameter 'step'") && e.contains("30 series x 35941 buckets") && e.contains("3333 buckets per"), e);
    assertTrue(e.contains("use step=10787ms"), e);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("use step=(\\w+) or longer").matcher(e);
    assertTrue(m.find(), e);
    ok("/api/v1/telemetry?metric=util&step=" + m.group(1));
    // one series may hold up to 10,000 buckets: the same step fits the fleet
    ok("/api/v1/telemetry?metric=util&step=5s&group_by=fleet");
    // a group's last is bounded per member GPU: 30 of them, as per GPU
    String last = error("/api/v1/telemetry?metric=util&step=5s&group_by=fleet&agg=last");
    assertTrue(last.contains("30 GPUs (agg=last") && last.contains("use step=10787ms"), last);
    String fleet = error("/api/v1/telemetry?metric=util&step=1s&group_by=fleet");
    assertTrue(fleet.contains("use step=3595ms"), fleet);
    ok("/api/v1/telemetry?metric=util&step=3595ms&group_by=fleet");
  }

  @Test
  void malformedParametersAre400NamingThem() {
    assertTrue(error("/api/v1/telemetry").contains("'metric'"));
    assertTrue(error("/api/v1/telemetry?metric=util&group_by=rack").contains("'group_by'"));
    assertTrue(error("/api/v1/telemetry?metric=util&agg=median").contains("'agg'"));
    assertTrue(error("/api/v1/telemetry?metric=util&step=0s").contains("'step'"));
    assertTrue(error("/api/v1/telemetry?metric=util&start_time=soon").contains("'start_time'"));
    assertTrue(error("/api/v1/telemetry?metric=util&start_time=now&end_time=now-1h").contains("'start_time'"));
    assertTrue(error("/api/v1/telemetry?metric=util&cursor=abc").contains("'cursor'"));
  }

  @Test
  void aSeriesCountNoStepCanFitIs400NamingGroupBy() {
    List<GpuRecord> many = new ArrayList<>();
    for (int g = 0; g <= FleetQuery.MAX_POINTS / 2; g++) {
      many.add(new GpuRecord(new Gpu("GPU-" + g, 0, "nvidia0", "H100", "host-" + g), T0, T0));
    }
    FleetTelemetryApi api = new FleetTelemetryApi(new MemoryTelemetryStore(10));
    FleetTelemetryApi.Request perGpu = FleetTelemetryApi.parse(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("metric", "util"), T0);
    ApiException e = assertThrows(ApiException.class, () -> api.answer(perGpu, many));
    assertTrue(e.getMessage().contains("'group_by'") && e.getMessage().contains("hostname"), e.getMessage());
    assertEquals(400, e.status());
    // one fewer series fits with two buckets each (these GPUs have no samples in the store: no series)
    many.remove(many.size() - 1);
    assertEquals(0, api.answer(perGpu, many).toCompletionStage().toCompletableFuture().join()
        .getJsonArray("series").size());
  }
}
