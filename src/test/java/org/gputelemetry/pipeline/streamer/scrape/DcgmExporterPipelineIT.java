package org.gputelemetry.pipeline.streamer.scrape;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.transport.Addresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;


/**
 * The all-in-one pipeline (memory store, local transport) on the {@code dcgm-exporter} source,
 * scraping two fake exporters on loopback that serve recorded fixtures: what is stored (MIG
 * instances, XID labels, pod labels, the hostname override), {@code GET /api/v1/targets}, the
 * scrape metrics, and a target that goes down and comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DcgmExporterPipelineIT {

  private static final String MIG_PARENT = "GPU-63bc0b91-2265-1b94-831c-15c41fe92675";
  private static final String A100_PLAIN = "GPU-06357e72-c3ee-614b-775f-a89e18e8cc08";
  private static final String H100_GPU0 = "GPU-424e617b-4a6f-af6d-e8d7-cd50af1ffe0d";
  private static final String H100_GPU2 = "GPU-25ac45a0-de85-39a4-a415-2ff7bbe8f88d";

  private Vertx vertx;
  private Vertx exporterVertx;
  private FakeExporter mig;
  private FakeExporter h100;
  private WebClient client;
  private PipelineVerticle pipeline;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    exporterVertx = Vertx.vertx();
    mig = FakeExporter.start(exporterVertx).answer("/metrics", FakeExporter.Answer.fixture(Fixtures.A100_MIG));
    h100 = FakeExporter.start(exporterVertx).answer("/metrics", FakeExporter.Answer.fixture(Fixtures.H100_8GPU));
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one.json"), new JsonObject()
        .put("streamer", new JsonObject().put("source", new JsonObject()
            .put("type", "dcgm-exporter").put("interval", "300ms").put("timeout", "250ms").put("backoffMax", "600ms")
            .put("targets", new JsonArray()
                .add(new JsonObject().put("url", mig.url("/metrics")).put("hostname", "mig-host"))
                .add(h100.url("/metrics")))))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
    pipeline = Pipelines.deploy(vertx, descriptor);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (exporterVertx != null) {
      await(exporterVertx.close());
    }
  }

  private Optional<Gpu> gpu(String uuid) {
    return await(pipeline.store().gpu(uuid)).map(GpuRecord::gpu);
  }

  private List<Sample> latest(String uuid) {
    return await(pipeline.store().latest(uuid));
  }

  private Sample latest(String uuid, String metric) {
    return latest(uuid).stream().filter(s -> s.metric().equals(metric)).findFirst().orElse(null);
  }

  private JsonObject target(String url) {
    HttpResponse<Buffer> r = await(client.get("/api/v1/targets").send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    for (Object o : r.bodyAsJsonObject().getJsonArray("targets")) {
      JsonObject t = (JsonObject) o;
      if (t.getString("url").equals(url)) {
        return t;
      }
    }
    return null;
  }

  @Test
  void migInstancesAreStoredWithTheirParentAndProfileOnTheConfiguredHost() {
    String instance = "MIG-" + MIG_PARENT + "/1";
    Poll.until("the MIG instance stored", 30, () -> gpu(instance).isPresent());
    Gpu g = gpu(instance).orElseThrow();
    assertEquals(MIG_PARENT, g.parentUuid());
    assertEquals("3g.40gb", g.migProfile());
    assertEquals("mig-host", g.hostname(), "the target's hostname overrides the exporter's Hostname label");
    assertEquals("00000000:CA:00.0", g.pciBusId());
    assertEquals("535.154.05", g.driverVersion());
    Poll.until("the <<<NULL>>> profile instance", 30, () -> gpu("MIG-" + MIG_PARENT + "/6").isPresent());
    assertNull(gpu("MIG-" + MIG_PARENT + "/6").orElseThrow().migProfile());
    Gpu plain = gpu(A100_PLAIN).orElseThrow();
    assertNull(plain.parentUuid());
    assertNull(plain.migProfile());
  }

  @Test
  void theGpuRecordInRestAndGraphqlCarriesPciBusDriverAndMigAttributes() {
    String instance = "MIG-" + MIG_PARENT + "/1";
    Poll.until("the MIG instance stored", 30, () -> gpu(instance).isPresent());
    HttpResponse<Buffer> r = await(client.get("/api/v1/gpus/" + instance.replace("/", "%2F")).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject g = r.bodyAsJsonObject();
    assertEquals("00000000:CA:00.0", g.getString("pci_bus_id"));
    assertEquals("535.154.05", g.getString("driver_version"));
    assertEquals(MIG_PARENT, g.getString("parent_uuid"));
    assertEquals("3g.40gb", g.getString("mig_profile"));
    assertEquals("active", g.getString("status"), "scraped a moment ago");
    JsonObject plain = null;
    for (Object o : await(client.get("/api/v1/gpus?hostname=mig-host").send()).bodyAsJsonObject().getJsonArray("gpus")) {
      if (((JsonObject) o).getString("uuid").equals(A100_PLAIN)) {
        plain = (JsonObject) o;
      }
    }
    assertNotNull(plain);
    assertEquals("00000000:17:00.0", plain.getString("pci_bus_id"));
    assertTrue(plain.containsKey("parent_uuid") && plain.getValue("parent_uuid") == null, plain.encode());
    assertTrue(plain.containsKey("mig_profile") && plain.getValue("mig_profile") == null, plain.encode());
    HttpResponse<Buffer> q = await(client.post("/graphql").sendJsonObject(new JsonObject().put("query",
        "{ gpu(uuid: \"" + instance + "\") { pci_bus_id driver_version parent_uuid mig_profile status } }")));
    assertEquals(new JsonObject().put("pci_bus_id", "00000000:CA:00.0").put("driver_version", "535.154.05")
            .put("parent_uuid", MIG_PARENT).put("mig_profile", "3g.40gb").put("status", "active"),
        q.bodyAsJsonObject().getJsonObject("data").getJsonObject("gpu"), q.bodyAsString());
  }

  @Test
  void podLabelsAreKeptWhenSetAndAbsentWhenEmpty() {
    Poll.until("samples of both exporters", 30, () -> latest(A100_PLAIN, "DCGM_FI_DEV_SM_CLOCK") != null
        && latest(H100_GPU2, "DCGM_FI_DEV_XID_ERRORS") != null);
    Sample empty = latest(A100_PLAIN, "DCGM_FI_DEV_SM_CLOCK");
    assertNull(empty.pod(), "pod=\"\" means no pod");
    assertNull(empty.namespace());
    assertNull(empty.container());
    assertEquals(1410.0, empty.value());
    Sample withPod = latest(H100_GPU2, "DCGM_FI_DEV_XID_ERRORS");
    assertEquals("llama-ft-7d9c6b5f4-x2kqp", withPod.pod());
    assertEquals("ml-team", withPod.namespace());
    assertEquals("trainer", withPod.container());
    assertEquals("gpu-node-07", gpu(H100_GPU2).orElseThrow().hostname(), "no override: the exporter's Hostname");
  }

  /**
   * The XID series as the store committed it (the batches the collector publishes after each
   * commit): the memory store keeps a GPU's newest values per metric without their labels, so
   * the labels are checked on what was committed.
   */
  @Test
  void anXidSeriesKeepsItsLabels() {
    AtomicReference<Sample> committed = new AtomicReference<>();
    MessageConsumer<SampleBatch> c = vertx.eventBus().<SampleBatch>localConsumer(Addresses.COMMITTED, m -> {
      for (Sample s : m.body().samples()) {
        if (s.gpu().uuid().equals(H100_GPU0) && s.metric().equals("DCGM_FI_DEV_XID_ERRORS")) {
          committed.set(s);
        }
      }
    });
    Poll.until("an XID sample committed", 30, () -> committed.get() != null);
    c.unregister();
    Sample xid = committed.get();
    assertEquals("0", xid.labels().get("err_code"));
    assertEquals("No Error", xid.labels().get("err_msg"));
    assertNull(xid.labels().get("UUID"), "identity labels are not series labels");
    assertEquals(2, xid.labels().size(), xid.labels().canonical());
    assertNotNull(latest(H100_GPU0, "DCGM_FI_DEV_XID_ERRORS"), "and the store has the series");
  }

  @Test
  void targetsAreListedWithTheirHealthAndMetrics() {
    Poll.until("both targets up", 30, () -> {
      JsonObject a = target(mig.url("/metrics"));
      JsonObject b = target(h100.url("/metrics"));
      return a != null && b != null && "up".equals(a.getString("health")) && "up".equals(b.getString("health"));
    });
    JsonObject a = target(mig.url("/metrics"));
    assertEquals("mig-host", a.getString("hostname"));
    assertTrue(a.getInteger("samples") > 0, a.encode());
    assertNotNull(a.getString("last_scrape"));
    assertNull(a.getString("last_error"));
    assertNull(target(h100.url("/metrics")).getString("hostname"));
    HttpResponse<Buffer> m = await(client.get("/metrics").send());
    String text = m.bodyAsString();
    assertTrue(text.contains("telemetry_scrape_target_up{target=\"" + h100.url("/metrics") + "\"} 1.0"), text);
    assertTrue(text.contains("telemetry_scrape_samples_total"), text);
    assertTrue(text.contains("telemetry_scrape_duration_seconds_count"), text);
    assertTrue(text.contains("telemetry_scrape_rejects_total{reason=\"no_gpu_uuid\"}"), text);
  }

  @Test
  void aTargetThatGoesDownIsReportedAndResumesWhenItComesBack() {
    Poll.until("the MIG target up", 30, () -> {
      JsonObject t = target(mig.url("/metrics"));
      return t != null && "up".equals(t.getString("health"));
    });
    String url = mig.url("/metrics");
    int port = mig.port();
    mig.close();
    Poll.until("the MIG target down", 30, () -> "down".equals(target(url).getString("health")));
    JsonObject down = target(url);
    assertNotNull(down.getString("last_error"), down.encode());
    assertEquals(0, down.getInteger("samples"));
    long before = latest(A100_PLAIN, "DCGM_FI_DEV_SM_CLOCK").timestampMicros();
    mig = FakeExporter.startOn(exporterVertx, port).answer("/metrics", FakeExporter.Answer.fixture(Fixtures.A100_MIG));
    Poll.until("the MIG target up again", 30, () -> "up".equals(target(url).getString("health")));
    assertNull(target(url).getString("last_error"));
    Poll.until("its samples resume", 30, () -> latest(A100_PLAIN, "DCGM_FI_DEV_SM_CLOCK").timestampMicros() > before);
  }
}
