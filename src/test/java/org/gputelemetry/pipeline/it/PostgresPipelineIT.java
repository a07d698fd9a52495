package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots {@code conf/all-in-one-postgres.json} against a real PostgreSQL (embedded, on 127.0.0.1)
 * with a one-pass, source-timestamp replay of the real sample, and checks through HTTP and in the
 * database that every row arrived once. Then replays the file again: the table does not grow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresPipelineIT {

  private final Map<String, List<SampleCsv.Row>> expected = SampleCsv.byGpu();
  private EmbeddedPostgresServer server;
  private String database;
  private Vertx vertx;
  private WebClient client;
  private PipelineVerticle pipeline;

  @BeforeAll
  void boot() {
    server = EmbeddedPostgresServer.shared();
    database = server.createDatabase("pipeline");
    vertx = Vertx.vertx();
    pipeline = Pipelines.deploy(vertx, descriptor());
    await(pipeline.streamer().finished(), 120);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));
  }

  /** The shipped descriptor, pointed at the test's database, replaying the file once with its own timestamps. */
  private JsonObject descriptor() {
    return Pipelines.merge(Pipelines.descriptor("all-in-one-postgres.json"), new JsonObject()
        .put("streamer", new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", 0))
        .put("collector", new JsonObject().put("store", new JsonObject()
            .put("port", server.port()).put("database", database).put("user", "postgres").put("sslMode", "disable")
            // the sample is from 2025: keep it rather than expire it at the next maintenance pass
            .put("retention", "0d")))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (database != null) {
      server.dropDatabase(database);
    }
  }

  private HttpResponse<Buffer> get(String uri) {
    return await(client.get(uri).send());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private long rowsInDatabase() throws Exception {
    try (Connection c = server.connect(database); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT count(*) FROM samples")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void everyRowOfTheFileIsStoredOnceAndReplayingItAddsNone() throws Exception {
    assertEquals(SampleCsv.rows().size(), rowsInDatabase());
    Vertx other = Vertx.vertx();
    try {
      PipelineVerticle again = Pipelines.deploy(other, Pipelines.merge(descriptor(), new JsonObject()
          .put("roles", new JsonArray().add("streamer").add("collector"))));
      await(again.streamer().finished(), 120);
    } finally {
      await(other.close());
    }
    assertEquals(SampleCsv.rows().size(), rowsInDatabase());
  }

  @Test
  void listsEveryGpuSortedWithHostsAndMetrics() {
    JsonObject body = get("/api/v1/gpus").bodyAsJsonObject();
    assertEquals(DcgmSampleFile.GPUS, body.getInteger("count"));
    JsonArray gpus = body.getJsonArray("gpus");
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
    JsonObject hosts = get("/api/v1/hosts").bodyAsJsonObject();
    assertEquals(DcgmSampleFile.HOSTS, hosts.getInteger("count"));
    Set<String> metrics = new TreeSet<>();
    SampleCsv.rows().forEach(r -> metrics.add(r.metric()));
    assertEquals(List.copyOf(metrics), get("/api/v1/metrics").bodyAsJsonObject().getJsonArray("metrics").getList());
  }

  /**
   * The file's GPUs (2025 timestamps, CSV: no PCI bus, driver or MIG attributes) are stale with
   * null attributes; a MIG instance reported now is active with its attributes, in REST from PostgreSQL.
   */
  @Test
  void gpuRecordsCarryAttributesAndAStatusFromLastSeen() {
    for (Object o : get("/api/v1/gpus").bodyAsJsonObject().getJsonArray("gpus")) {
      JsonObject g = (JsonObject) o;
      assertEquals("stale", g.getString("status"), g.encode());
      assertTrue(g.containsKey("pci_bus_id") && g.getValue("pci_bus_id") == null, g.encode());
      assertTrue(g.containsKey("driver_version") && g.getValue("driver_version") == null, g.encode());
    }
    Gpu mig = new Gpu("MIG-GPU-pg-rest/2", 1, "nvidia1", "NVIDIA A100 80GB PCIe", "pg-rest-host", "00000000:CA:00.0",
        "535.154.05", "GPU-pg-rest", "1g.10gb");
    long now = org.gputelemetry.pipeline.model.Timestamps.nowMicros();
    await(pipeline.store().write(List.of(new Sample(mig, "DCGM_FI_DEV_GPU_UTIL", now, 7, null, null, null))));
    JsonObject g;
    try {
      g = get("/api/v1/gpus/" + enc(mig.uuid())).bodyAsJsonObject();
      assertEquals(g, get("/api/v1/gpus?hostname=pg-rest-host").bodyAsJsonObject().getJsonArray("gpus").getJsonObject(0));
    } finally {
      // the other tests count the file's GPUs and samples: this one leaves nothing behind
      server.execute(database, "DELETE FROM samples WHERE gpu_id = (SELECT id FROM gpus WHERE uuid = '" + mig.uuid() + "')");
    }
    assertEquals(new JsonObject().put("uuid", mig.uuid()).put("gpu_index", 1).put("device", "nvidia1")
        .put("model_name", "NVIDIA A100 80GB PCIe").put("hostname", "pg-rest-host")
        .put("first_seen", org.gputelemetry.pipeline.model.Timestamps.format(now))
        .put("last_seen", org.gputelemetry.pipeline.model.Timestamps.format(now))
        .put("pci_bus_id", "00000000:CA:00.0").put("driver_version", "535.154.05").put("parent_uuid", "GPU-pg-rest")
        .put("mig_profile", "1g.10gb").put("status", "active"), g);
  }

  @Test
  void everyGpuHasItsTenSamplesWithTheFileValuesInTimeOrder() {
    for (Map.Entry<String, List<SampleCsv.Row>> e : expected.entrySet()) {
      JsonObject body = get("/api/v1/gpus/" + enc(e.getKey()) + "/telemetry").bodyAsJsonObject();
      assertEquals(DcgmSampleFile.SAMPLES_PER_GPU, body.getInteger("count"), e.getKey());
      assertNull(body.getString("next_cursor"));
      Set<String> got = new HashSet<>();
      String previous = null;
      for (Object o : body.getJsonArray("samples")) {
        JsonObject s = (JsonObject) o;
        String key = s.getString("timestamp") + "|" + s.getString("metric");
        if (previous != null) {
          assertTrue(previous.compareTo(key) < 0, "not ordered: " + previous + " then " + key);
        }
        previous = key;
        got.add(Instant.parse(s.getString("timestamp")) + "|" + s.getString("metric") + "|" + s.getDouble("value"));
      }
      Set<String> want = new HashSet<>();
      e.getValue().forEach(r -> want.add(r.instant() + "|" + r.metric() + "|" + r.value()));
      assertEquals(want, got, e.getKey());
    }
  }

  @Test
  void pagesAndWindowsWorkThroughTheApi() {
    String uuid = expected.keySet().iterator().next();
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject body = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?limit=3"
          + (cursor == null ? "" : "&cursor=" + enc(cursor))).bodyAsJsonObject();
      for (Object o : body.getJsonArray("samples")) {
        JsonObject s = (JsonObject) o;
        assertTrue(seen.add(s.getString("timestamp") + "|" + s.getString("metric")), "sample returned twice");
      }
      cursor = body.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(DcgmSampleFile.SAMPLES_PER_GPU, seen.size());
    assertEquals(4, pages);
    TreeSet<Instant> times = new TreeSet<>();
    expected.get(uuid).forEach(r -> times.add(r.instant()));
    long atFirst = expected.get(uuid).stream().filter(r -> r.instant().equals(times.first())).count();
    JsonObject exact = get("/api/v1/gpus/" + enc(uuid) + "/telemetry?start_time=" + times.first() + "&end_time="
        + times.first()).bodyAsJsonObject();
    assertEquals(atFirst, exact.getInteger("count").longValue());
  }

  @Test
  void readinessReportsThePostgresStoreUp() {
    HttpResponse<Buffer> ready = get("/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    JsonObject store = ready.bodyAsJsonObject().getJsonObject("checks").getJsonObject("store");
    assertEquals("UP", store.getString("status"), store.encode());
  }
}
