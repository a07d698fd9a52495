package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots {@code conf/all-in-one.json} with a one-pass, source-timestamp replay of the real sample
 * and checks everything through HTTP against an independent reading of the CSV.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllInOnePipelineIT {

  private Vertx vertx;
  private WebClient client;
  private PipelineVerticle pipeline;
  private final Map<String, List<SampleCsv.Row>> expected = SampleCsv.byGpu();

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    pipeline = Pipelines.deploy(vertx, Pipelines.onePassAllInOne(null));
    await(pipeline.streamer().finished(), 120);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private HttpResponse<Buffer> get(String uri) {
    return await(client.get(uri).send());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void listsEveryGpuOfTheSampleSortedByHostIndexUuid() {
    HttpResponse<Buffer> r = get("/api/v1/gpus");
    assertEquals(200, r.statusCode());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(DcgmSampleFile.GPUS, body.getInteger("count"));
    JsonArray gpus = body.getJsonArray("gpus");
    assertEquals(DcgmSampleFile.GPUS, gpus.size());
    assertEquals(expected.keySet(), new TreeSet<>(gpus.stream().map(o -> ((JsonObject) o).getString("uuid")).toList()));
    for (int i = 1; i < gpus.size(); i++) {
      JsonObject a = gpus.getJsonObject(i - 1);
      JsonObject b = gpus.getJsonObject(i);
      int c = a.getString("hostname").compareTo(b.getString("hostname"));
      if (c == 0) {
        c = Integer.compare(a.getInteger("gpu_index"), b.getInteger("gpu_index"));
      }
      if (c == 0) {
        c = a.getString("uuid").compareTo(b.getString("uuid"));
      }
      assertTrue(c < 0, "not sorted at " + i);
    }
    JsonObject first = gpus.getJsonObject(0);
    for (String key : List.of("uuid", "gpu_index", "device", "model_name", "hostname", "first_seen", "last_seen")) {
      assertTrue(first.containsKey(key), "missing " + key);
    }
  }

  @Test
  void countsThirtyOneHostsAndTenMetrics() {
    JsonObject hosts = get("/api/v1/hosts").bodyAsJsonObject();
    assertEquals(DcgmSampleFile.HOSTS, hosts.getInteger("count"));
    int gpus = hosts.getJsonArray("hosts").stream().mapToInt(o -> ((JsonObject) o).getInteger("gpus")).sum();
    assertEquals(DcgmSampleFile.GPUS, gpus);
    Set<String> metrics = new TreeSet<>();
    SampleCsv.rows().forEach(r -> metrics.add(r.metric()));
    assertEquals(new ArrayList<>(metrics), get("/api/v1/metrics").bodyAsJsonObject().getJsonArray("metrics").getList());
  }

  @Test
  void hostnameFilterReturnsOnlyThatHost() {
    String host = expected.values().iterator().next().get(0).hostname();
    long expectedCount = expected.values().stream().filter(rows -> rows.get(0).hostname().equals(host)).count();
    JsonObject body = get("/api/v1/gpus?hostname=" + enc(host)).bodyAsJsonObject();
    assertEquals(expectedCount, body.getInteger("count").longValue());
    body.getJsonArray("gpus").forEach(o -> assertEquals(host, ((JsonObject) o).getString("hostname")));
  }

  @Test
  void everyGpuHasItsTenSamplesWithTheFileValuesInTimeOrder() {
    for (Map.Entry<String, List<SampleCsv.Row>> e : expected.entrySet()) {
      JsonObject body = get("/api/v1/gpus/" + enc(e.getKey()) + "/telemetry").bodyAsJsonObject();
      assertEquals(e.getKey(), body.getString("uuid"));
      assertEquals(DcgmSampleFile.SAMPLES_PER_GPU, body.getInteger("count"), e.getKey());
      assertNull(body.getString("next_cursor"));
      JsonArray samples = body.getJsonArray("samples");
      Set<String> got = new HashSet<>();
      String previous = null;
      for (Object o : samples) {
        JsonObject s = (JsonObject) o;
        String key = s.getString("timestamp") + "|" + s.getString("metric");
        if (previous != null) {
          assertTrue(previous.compareTo(key) < 0, "not ordered: " + previous + " then " + key);
        }
        previous = key;
        got.add(Instant.parse(s.getString("timestamp")) + "|" + s.getString("metric") + "|" + s.getDouble("value"));
        assertEquals(e.getValue().get(0).hostname(), s.getString("hostname"));
      }
      Set<String> want = new HashSet<>();
      e.getValue().forEach(r -> want.add(r.instant() + "|" + r.metric() + "|" + r.value()));
      assertEquals(want, got, e.getKey());
    }
  }

  @Test
  void gpuDetailIsFoundAndUnknownGpuIs404() {
    String uuid = expected.keySet().iterator().next();
    JsonObject gpu = get("/api/v1/gpus/" + enc(uuid)).bodyAsJsonObject();
    assertEquals(uuid, gpu.getString("uuid"));
    assertEquals(expected.get(uuid).get(0).timestamp(), gpu.getString("first_seen"));
    HttpResponse<Buffer> missing = get("/api/v1/gpus/GPU-does-not-exist");
    assertEquals(404, missing.statusCode());
    assertTrue(missing.bodyAsJsonObject().getString("error").contains("GPU-does-not-exist"));
    assertEquals(404, get("/api/v1/gpus/GPU-does-not-exist/telemetry").statusCode());
    assertEquals(404, get("/api/v1/gpus/" + enc("MIG-GPU-none/1/0") + "/telemetry").statusCode());
  }

  @Test
  void telemetryWindowIsInclusiveAtBothEnds() {
    String uuid = expected.keySet().iterator().next();
    List<SampleCsv.Row> rows = new ArrayList<>(expected.get(uuid));
    TreeSet<Instant> times = new TreeSet<>();
    rows.forEach(r -> times.add(r.instant()));
    Instant lo = times.first();
    Instant hi = times.last();
    long expectedBoth = rows.stream().filter(r -> !r.instant().isBefore(lo) && !r.instant().isAfter(hi)).count();
    JsonObject both = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?start_time=" + lo + "&end_time=" + hi).bodyAsJsonObject();
    assertEquals(expectedBoth, both.getInteger("count").longValue());
    long atLo = rows.stream().filter(r -> r.instant().equals(lo)).count();
    JsonObject exact = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?start_time=" + lo + "&end_time=" + lo).bodyAsJsonObject();
    assertEquals(atLo, exact.getInteger("count").longValue());
    JsonObject after = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?start_time=" + hi.plusSeconds(1)).bodyAsJsonObject();
    assertEquals(0, after.getInteger("count"));
    // an offset form of the same instant selects the same samples
    String loOffset = lo.atOffset(java.time.ZoneOffset.ofHours(2)).toString();
    JsonObject offset = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?start_time=" + enc(loOffset) + "&end_time=" + enc(loOffset)).bodyAsJsonObject();
    assertEquals(atLo, offset.getInteger("count").longValue());
  }

  @Test
  void paginationCoversEverySampleExactlyOnce() {
    String uuid = expected.keySet().iterator().next();
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      String uri = "/api/v1/gpus/" + enc(uuid) + "/telemetry?limit=3" + (cursor == null ? "" : "&cursor=" + enc(cursor));
      JsonObject body = get(uri).bodyAsJsonObject();
      for (Object o : body.getJsonArray("samples")) {
        JsonObject s = (JsonObject) o;
        assertTrue(seen.add(s.getString("timestamp") + "|" + s.getString("metric")), "sample returned twice");
      }
      cursor = body.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(DcgmSampleFile.SAMPLES_PER_GPU, seen.size());
    assertEquals(4, pages);
  }

  @Test
  void metricFilterSelectsOneMetric() {
    String uuid = expected.keySet().iterator().next();
    String metric = expected.get(uuid).get(0).metric();
    JsonObject body = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?metric=" + metric).bodyAsJsonObject();
    long want = expected.get(uuid).stream().filter(r -> r.metric().equals(metric)).count();
    assertEquals(want, body.getInteger("count").longValue());
  }

  @Test
  void badParametersAre400NamingTheParameter() {
    String base = "/api/v1/gpus/" + enc(expected.keySet().iterator().next()) + "/telemetry?";
    assertBad(base + "start_time=yesterday", "start_time");
    assertBad(base + "end_time=2025-13-01T00:00:00Z", "end_time");
    assertBad(base + "start_time=2025-07-19T00:00:00Z&end_time=2025-07-18T00:00:00Z", "start_time");
    assertBad(base + "limit=0", "limit");
    assertBad(base + "limit=10001", "limit");
    assertBad(base + "limit=ten", "limit");
    assertBad(base + "cursor=not-a-cursor", "cursor");
  }

  private void assertBad(String uri, String parameter) {
    HttpResponse<Buffer> r = get(uri);
    assertEquals(400, r.statusCode(), uri);
    String error = r.bodyAsJsonObject().getString("error");
    assertNotNull(error);
    assertTrue(error.contains(parameter), error);
  }

  @Test
  void healthAndReadinessAnswer() {
    assertEquals(200, get("/health").statusCode());
    HttpResponse<Buffer> ready = get("/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("UP", ready.bodyAsJsonObject().getJsonObject("checks").getJsonObject("store").getString("status"));
  }
}
