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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots {@code conf/all-in-one.json} replaying, once and with its own timestamps, a small fixture
 * ({@code src/test/resources/csv/mig-fractional-timestamps.csv}): two MIG instances of one GPU
 * (ids holding '/'), a whole GPU on the same host, a GPU whose id holds '%' and '+', timestamps
 * with and without fractions, in {@code Z} and offset form, and one row with a bad timestamp.
 * Checks through HTTP that a MIG id is addressable URL-encoded (and decoded exactly once), and the exact text of every timestamp the API answers: RFC 3339 UTC
 * with {@code Z}, no fraction when it is zero, else milliseconds (3 digits) or, when they are
 * needed, microseconds (6 digits), as {@code java.time.Instant} prints them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigGpuPipelineIT {

  static final Path FIXTURE = Path.of("src/test/resources/csv/mig-fractional-timestamps.csv");
  static final String MIG_1 = "MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0";
  static final String MIG_1_ENCODED = "MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50%2F1%2F0";
  static final String MIG_2 = "MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/2/0";
  static final String WHOLE_GPU = "GPU-bc7a12ab-4998-fdc5-0785-2678a929a142";
  /** An id with characters that mean something in a URL: decoded once, '%' stays '%' and '+' stays '+'. */
  static final String ODD_ID = "GPU-odd%id+1";

  private Vertx vertx;
  private WebClient client;

  @BeforeAll
  void boot() {
    assertTrue(Files.isRegularFile(FIXTURE), FIXTURE.toAbsolutePath().toString());
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, Pipelines.onePassAllInOne(FIXTURE.toAbsolutePath().toString()));
    await(pipeline.streamer().finished(), 60);
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

  private JsonObject ok(String uri) {
    HttpResponse<Buffer> r = get(uri);
    assertEquals(200, r.statusCode(), uri + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject migGpu() {
    return new JsonObject().put("uuid", MIG_1).put("gpu_index", 0).put("device", "nvidia0")
        .put("model_name", "NVIDIA A100-SXM4-80GB").put("hostname", "mig-host-01")
        .put("first_seen", "2025-07-18T13:42:34Z").put("last_seen", "2025-07-18T13:42:37Z")
        // a CSV row says nothing of PCI bus, driver or MIG parent; samples of 2025 are long stale
        .putNull("pci_bus_id").putNull("driver_version").putNull("parent_uuid").putNull("mig_profile")
        .put("status", "stale");
  }

  @Test
  void migGpuIsFoundByItsUrlEncodedId() {
    assertEquals(migGpu(), ok("/api/v1/gpus/" + MIG_1_ENCODED));
    // lower-case hex is the same escape
    assertEquals(migGpu(), ok("/api/v1/gpus/" + MIG_1_ENCODED.replace("%2F", "%2f")));
    // and the sibling instance, which shares everything but the last two segments, is its own GPU
    assertEquals(MIG_2, ok("/api/v1/gpus/" + MIG_2.replace("/", "%2F")).getString("uuid"));
  }

  @Test
  void migGpuIsAlsoFoundWithItsSlashesUnencoded() {
    assertEquals(migGpu(), ok("/api/v1/gpus/" + MIG_1));
    assertEquals(MIG_1, ok("/api/v1/gpus/" + MIG_1 + "/telemetry").getString("uuid"));
  }

  @Test
  void migTelemetryReturnsItsSamplesWithExactTimestamps() {
    JsonObject page = ok("/api/v1/gpus/" + MIG_1_ENCODED + "/telemetry");
    JsonArray samples = new JsonArray(List.of(
        sample("2025-07-18T13:42:34Z", "DCGM_FI_DEV_GPU_UTIL", 40.0),
        // 34.5Z: milliseconds, three digits
        sample("2025-07-18T13:42:34.500Z", "DCGM_FI_DEV_GPU_UTIL", 41.0)
            .put("pod", "trainer-0").put("namespace", "ml").put("container", "pytorch"),
        // 15:42:35.25+02:00: converted to UTC
        sample("2025-07-18T13:42:35.250Z", "DCGM_FI_DEV_FB_USED", 1024.0),
        // microseconds when the fraction needs them
        sample("2025-07-18T13:42:36.000123Z", "DCGM_FI_DEV_GPU_UTIL", 42.0),
        // 37.000Z: a zero fraction is left out
        sample("2025-07-18T13:42:37Z", "DCGM_FI_DEV_GPU_UTIL", 43.0)));
    JsonObject want = new JsonObject().put("uuid", MIG_1).put("count", 5).put("samples", samples)
        .putNull("next_cursor");
    assertEquals(want, page);
  }

  private static JsonObject sample(String timestamp, String metric, double value) {
    return new JsonObject().put("timestamp", timestamp).put("metric", metric).put("value", value)
        .put("hostname", "mig-host-01");
  }

  @Test
  void timeWindowOfFractionalTimestampsIsInclusiveAtBothEnds() {
    JsonObject page = ok("/api/v1/gpus/" + MIG_1_ENCODED
        + "/telemetry?start_time=2025-07-18T13:42:34.5Z&end_time=2025-07-18T15:42:36.000123%2B02:00");
    assertEquals(List.of("2025-07-18T13:42:34.500Z", "2025-07-18T13:42:35.250Z", "2025-07-18T13:42:36.000123Z"),
        page.getJsonArray("samples").stream().map(o -> ((JsonObject) o).getString("timestamp")).toList());
    assertNull(page.getString("next_cursor"));
  }

  @Test
  void gpuListShowsBothMigInstancesAndTheWholeGpu() {
    JsonObject body = ok("/api/v1/gpus?hostname=mig-host-01");
    assertEquals(3, body.getInteger("count"));
    List<String> uuids = body.getJsonArray("gpus").stream().map(o -> ((JsonObject) o).getString("uuid")).toList();
    // sorted by hostname, gpu_index, uuid: both instances report their parent's index 0
    assertEquals(List.of(MIG_1, MIG_2, WHOLE_GPU), uuids);
    assertEquals(migGpu(), body.getJsonArray("gpus").getJsonObject(0));
  }

  @Test
  void gpuIdIsUrlDecodedExactlyOnce() {
    assertEquals(ODD_ID, ok("/api/v1/gpus/GPU-odd%25id%2B1").getString("uuid"));
    assertEquals(ODD_ID, ok("/api/v1/gpus/GPU-odd%25id+1/telemetry").getString("uuid"));
    assertEquals(1, ok("/api/v1/gpus/GPU-odd%25id%2B1/telemetry").getInteger("count"));
    // "%2525" is the text "%25", not a second escape of '%'
    assertEquals(404, get("/api/v1/gpus/GPU-odd%2525id+1").statusCode());
  }

  @Test
  void malformedEscapeInGpuIdIs400WithAJsonError() {
    Map<String, String> escapes = Map.of("/api/v1/gpus/GPU-%zz", "%zz", "/api/v1/gpus/GPU-%zz/telemetry", "%zz",
        "/api/v1/gpus/GPU-%2", "%2");
    escapes.forEach((uri, escape) -> {
      HttpResponse<Buffer> r = get(uri);
      assertEquals(400, r.statusCode(), uri + ": " + r.bodyAsString());
      assertEquals("application/json", r.getHeader("content-type"), uri);
      // the request check names the escape; an escape cut short at the end of the path is refused by the
      // router's decoder first (with GraphQL's routes mounted), which names the whole path
      String error = r.bodyAsJsonObject().getString("error");
      assertTrue(error.equals("request path: malformed percent-encoding '" + escape + "' (expected % and two hex digits)")
          || error.equals("malformed percent-encoding in the request path '" + uri + "'"), uri + ": " + error);
    });
  }

  @Test
  void unknownMigInstanceIs404() {
    String unknown = "MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50%2F3%2F0";
    HttpResponse<Buffer> r = get("/api/v1/gpus/" + unknown);
    assertEquals(404, r.statusCode());
    assertEquals("no GPU with uuid 'MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/3/0'",
        r.bodyAsJsonObject().getString("error"));
    assertEquals(404, get("/api/v1/gpus/" + unknown + "/telemetry").statusCode());
  }
}
