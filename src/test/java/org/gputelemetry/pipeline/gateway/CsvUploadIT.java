package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.RawHttp;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV uploads on the in-process pipeline (collector and gateway in one process, local transport,
 * memory store, no streamer): what is uploaded is queryable over REST with its own timestamps; the
 * limits (size, type, queue) answer before anything is stored; bad headers fail the upload and bad
 * rows are counted; slow uploads hold neither the event loop nor other requests; authentication
 * covers the upload routes. Each test uploads GPUs of its own, so they share one pipeline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CsvUploadIT {

  static final String HEADER = "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,"
      + "value,labels_raw\n";
  static final long MAX_BYTES = 2L << 20;
  static final int MAX_QUEUED = 2;

  @TempDir
  static Path tmp;
  private Path uploadDir;
  private Vertx vertx;
  private Vertx securedVertx;
  private PipelineVerticle pipeline;
  private PipelineVerticle secured;
  private WebClient client;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    uploadDir = tmp.resolve("uploads");
    pipeline = Pipelines.deploy(vertx, descriptor(uploadDir, null));
    // a Vert.x of its own: two local transports on one event bus would share each other's batches
    securedVertx = Vertx.vertx();
    secured = Pipelines.deploy(securedVertx, descriptor(tmp.resolve("secured"), "s3cret"));
    client = WebClient.create(vertx);
  }

  static JsonObject descriptor(Path dir, String token) {
    JsonObject gateway = new JsonObject().put("port", 0).put("host", "127.0.0.1").put("idleTimeout", "3s")
        .put("upload", new JsonObject().put("dir", dir.toString()).put("maxBytes", MAX_BYTES)
            .put("maxQueued", MAX_QUEUED));
    if (token != null) {
      gateway.put("auth", new JsonObject().put("tokens", new JsonArray().add(token)));
    }
    return new JsonObject().put("roles", List.of("collector", "gateway"))
        .put("store", new JsonObject().put("type", "memory"))
        .put("transport", new JsonObject().put("type", "local"))
        .put("gateway", gateway);
  }

  @AfterAll
  void shutdown() {
    await(securedVertx.close(), 30);
    await(vertx.close(), 30);
  }

  private int port() {
    return pipeline.gatewayPort();
  }

  static byte[] sample() {
    try (InputStream in = CsvUploadIT.class.getResourceAsStream("/" + DcgmSampleFile.RESOURCE)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A CSV of {@code gpus} GPUs named {@code GPU-<prefix>-<n>}, one row each, with these timestamps. */
  static String fixture(String prefix, int gpus, String timestamp) {
    StringBuilder csv = new StringBuilder(HEADER);
    for (int i = 0; i < gpus; i++) {
      csv.append(row(timestamp, "DCGM_FI_DEV_GPU_TEMP", uuid(prefix, i), "host-" + prefix, Integer.toString(40 + i)));
    }
    return csv.toString();
  }

  static String uuid(String prefix, int i) {
    return "GPU-" + prefix + "-" + i;
  }

  static String row(String timestamp, String metric, String uuid, String host, String value) {
    return "\"" + timestamp + "\",\"" + metric + "\",\"0\",\"nvidia0\",\"" + uuid + "\",\"NVIDIA H100 80GB HBM3\",\""
        + host + "\",\"\",\"\",\"\",\"" + value + "\",\"\"\n";
  }

  HttpResponse<Buffer> postCsv(int port, String query, String contentType, byte[] body, String token) {
    var req = client.post(port, "127.0.0.1", UploadApi.UPLOAD + query).putHeader("Content-Type", contentType);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return await(req.sendBuffer(Buffer.buffer(body)), 30);
  }

  HttpResponse<Buffer> get(int port, String uri) {
    return await(client.get(port, "127.0.0.1", uri).send(), 30);
  }

  /** Polls the upload's status until it is finished, and returns it. */
  JsonObject finished(int port, String id) {
    JsonObject[] last = new JsonObject[1];
    Poll.until("upload " + id + " finished", 30, () -> {
      last[0] = get(port, UploadApi.UPLOADS + "/" + id).bodyAsJsonObject();
      String s = last[0].getString("status");
      return s.equals("done") || s.equals("failed");
    });
    return last[0];
  }

  JsonObject telemetry(int port, String uuid) {
    HttpResponse<Buffer> r = get(port, "/api/v1/gpus/" + URLEncoder.encode(uuid, StandardCharsets.UTF_8)
        + "/telemetry?limit=10000");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private List<Path> filesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void rawUploadOfTheBundledSampleIsQueryableWithItsOwnTimestamps() throws IOException {
    HttpResponse<Buffer> posted = postCsv(port(), "", "text/csv", sample(), null);
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    JsonObject accepted = posted.bodyAsJsonObject();
    String id = accepted.getString("id");
    assertEquals(UploadApi.UPLOADS + "/" + id, posted.getHeader("Location"));
    assertTrue(List.of("queued", "running", "done").contains(accepted.getString("status")), accepted.encode());

    JsonObject status = finished(port(), id);
    assertEquals("done", status.getString("status"), status.encode());
    assertEquals(DcgmSampleFile.ROWS, status.getLong("rows_accepted"));
    assertEquals(0, status.getLong("rows_rejected"));
    assertEquals(new JsonObject(), status.getJsonObject("rejected_by_reason"));
    assertEquals(sample().length, status.getLong("bytes"));
    assertEquals("source", status.getString("timestamp_mode"));

    var byGpu = SampleCsv.byGpu();
    List<String> listed = get(port(), "/api/v1/gpus").bodyAsJsonObject().getJsonArray("gpus").stream()
        .map(g -> ((JsonObject) g).getString("uuid")).toList();
    assertTrue(listed.containsAll(byGpu.keySet()), "every GPU of the file is listed");
    assertEquals(DcgmSampleFile.GPUS, byGpu.size());
    String gpu = byGpu.keySet().iterator().next();
    JsonObject page = telemetry(port(), gpu);
    assertEquals(byGpu.get(gpu).size(), page.getInteger("count"), gpu + " " + page.encode() + " " + byGpu.get(gpu));
    List<String> stored = page.getJsonArray("samples").stream()
        .map(s -> Instant.parse(((JsonObject) s).getString("timestamp")).toString()).sorted().toList();
    List<String> inFile = byGpu.get(gpu).stream().map(r -> r.instant().toString()).sorted().toList();
    assertEquals(inFile, stored, "the file's own timestamps are kept");
    Poll.until("the upload file deleted", 5, () -> {
      try {
        return filesIn(uploadDir).isEmpty();
      } catch (IOException e) {
        return false;
      }
    });
  }

  @Test
  void multipartUploadIsStoredAndItsClientFileNameNeverBecomesAPath() throws IOException {
    Path csv = tmp.resolve("multipart.csv");
    Files.writeString(csv, fixture("multi", 3, "2025-07-18T20:42:34Z"));
    MultipartForm form = MultipartForm.create().attribute("note", "hello")
        .binaryFileUpload("file", "../../escape.csv", csv.toString(), "text/csv");
    HttpResponse<Buffer> posted = await(client.post(port(), "127.0.0.1", UploadApi.UPLOAD).sendMultipartForm(form), 30);
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    JsonObject status = finished(port(), posted.bodyAsJsonObject().getString("id"));
    assertEquals("done", status.getString("status"), status.encode());
    assertEquals(3, status.getLong("rows_accepted"));
    assertEquals("../../escape.csv", status.getString("filename"), "shown as given");
    assertEquals(Files.size(csv), status.getLong("bytes"), "the file part alone");
    assertEquals(1, telemetry(port(), uuid("multi", 2)).getInteger("count"));
    assertFalse(Files.exists(uploadDir.resolve("../../escape.csv").normalize()));
    assertFalse(Files.exists(tmp.resolve("escape.csv")));
  }

  @Test
  void processingTimestampModeStampsRowsWithTheTimeOfIngestion() {
    Instant before = Instant.now().minusSeconds(1);
    HttpResponse<Buffer> posted = postCsv(port(), "?timestamp_mode=processing", "text/csv; charset=utf-8",
        fixture("proc", 2, "2001-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8), null);
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    JsonObject status = finished(port(), posted.bodyAsJsonObject().getString("id"));
    assertEquals("processing", status.getString("timestamp_mode"));
    assertEquals("done", status.getString("status"), status.encode());
    assertEquals(2, status.getLong("rows_accepted"), status.encode());
    JsonObject page = telemetry(port(), uuid("proc", 0));
    assertEquals(1, page.getInteger("count"));
    Instant at = Instant.parse(page.getJsonArray("samples").getJsonObject(0).getString("timestamp"));
    assertTrue(at.isAfter(before), at + " is the ingestion time, not the file's 2001");
  }

  @Test
  void uploadOverTheLimitByContentLengthIs413AndNothingIsKept() throws IOException {
    byte[] body = new byte[(int) MAX_BYTES + 1];
    HttpResponse<Buffer> posted = postCsv(port(), "", "text/csv", body, null);
    assertEquals(413, posted.statusCode());
    assertTrue(posted.bodyAsJsonObject().getString("error").contains("gateway.upload.maxBytes (" + MAX_BYTES),
        posted.bodyAsString());
    assertEquals(List.of(), filesIn(uploadDir));
  }

  @Test
  void uploadOverTheLimitWhileStreamingIs413AndThePartialFileIsDeleted() throws IOException {
    try (RawHttp raw = RawHttp.connect(port())) {
      raw.send("POST " + UploadApi.UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      String chunk = fixture("big", 1000, "2025-07-18T20:42:34Z");
      String framed = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n";
      long sent = 0;
      while (sent <= MAX_BYTES + chunk.length() && raw.send(framed)) {
        sent += chunk.length();
      }
      String answer = raw.readAll(10);
      assertEquals(413, RawHttp.status(answer), answer);
      assertTrue(RawHttp.body(answer).contains("gateway.upload.maxBytes"), answer);
    }
    Poll.until("the partial file deleted", 5, () -> {
      try {
        return filesIn(uploadDir).isEmpty();
      } catch (IOException e) {
        return false;
      }
    });
    assertEquals(404, get(port(), "/api/v1/gpus/" + uuid("big", 0)).statusCode(), "nothing of it stored");
    assertTrue(get(port(), UploadApi.UPLOADS).bodyAsJsonObject().getJsonArray("uploads").stream()
        .noneMatch(u -> ((JsonObject) u).getLong("bytes") > MAX_BYTES));
  }

  @Test
  void multipartFilePartOverTheLimitIs413AndNothingIsKept() throws IOException {
    Path big = tmp.resolve("big-multipart.csv");
    StringBuilder csv = new StringBuilder(HEADER);
    int i = 0;
    while (csv.length() <= MAX_BYTES) {
      csv.append(row("2025-07-18T20:42:34Z", "DCGM_FI_DEV_GPU_TEMP", uuid("bigpart", i++), "h", "40"));
    }
    Files.writeString(big, csv);
    MultipartForm form = MultipartForm.create().binaryFileUpload("file", "big.csv", big.toString(), "text/csv");
    HttpResponse<Buffer> posted;
    try {
      posted = await(client.post(port(), "127.0.0.1", UploadApi.UPLOAD).sendMultipartForm(form), 30);
    } catch (AssertionError | RuntimeException closedBeforeTheAnswer) {
      posted = null; // the connection closed while the client still wrote: refused as well
    }
    if (posted != null) {
      assertEquals(413, posted.statusCode(), posted.bodyAsString());
    }
    Poll.until("the partial file deleted", 5, () -> {
      try {
        return filesIn(uploadDir).isEmpty();
      } catch (IOException e) {
        return false;
      }
    });
    assertEquals(404, get(port(), "/api/v1/gpus/" + uuid("bigpart", 0)).statusCode());
  }

  @Test
  void otherContentTypesAre415AndABadTimestampModeIs400NamingIt() {
    HttpResponse<Buffer> json = postCsv(port(), "", "application/json", "{}".getBytes(StandardCharsets.UTF_8), null);
    assertEquals(415, json.statusCode());
    assertTrue(json.bodyAsJsonObject().getString("error").contains("application/json"), json.bodyAsString());
    HttpResponse<Buffer> mode = postCsv(port(), "?timestamp_mode=later", "text/csv",
        fixture("mode", 1, "2025-07-18T20:42:34Z").getBytes(StandardCharsets.UTF_8), null);
    assertEquals(400, mode.statusCode());
    assertTrue(mode.bodyAsJsonObject().getString("error").startsWith("parameter 'timestamp_mode'"), mode.bodyAsString());
    HttpResponse<Buffer> empty = postCsv(port(), "", "text/csv", new byte[0], null);
    assertEquals(400, empty.statusCode(), empty.bodyAsString());
  }

  @Test
  void aHeaderWithoutARequiredColumnFailsTheUploadWithTheReason() {
    HttpResponse<Buffer> posted = postCsv(port(), "", "text/csv",
        "timestamp,metric_name,Hostname,value\n\"2025-07-18T20:42:34Z\",\"X\",\"h\",\"1\"\n"
            .getBytes(StandardCharsets.UTF_8), null);
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    JsonObject status = finished(port(), posted.bodyAsJsonObject().getString("id"));
    assertEquals("failed", status.getString("status"));
    assertTrue(status.getString("error").contains("uuid"), status.encode());
    assertEquals(0, status.getLong("rows_accepted"));
  }

  @Test
  void badRowsAreCountedByReasonAndTheRestStored() {
    String ts = "2025-07-18T20:42:34Z";
    String csv = HEADER
        + row(ts, "DCGM_FI_DEV_GPU_TEMP", uuid("rows", 0), "h", "41")
        + row(ts, "DCGM_FI_DEV_GPU_TEMP", uuid("rows", 1), "h", "0x1F")
        + row(ts, "DCGM_FI_DEV_GPU_TEMP", uuid("rows", 2), "h", "NaN")
        + row("yesterday", "DCGM_FI_DEV_GPU_TEMP", uuid("rows", 3), "h", "43")
        + row(ts, "DCGM_FI_DEV_GPU_TEMP", "", "h", "44")
        + row(ts, "DCGM_FI_DEV_GPU_TEMP", uuid("rows", 5), "h", "45");
    HttpResponse<Buffer> posted = postCsv(port(), "", "text/csv", csv.getBytes(StandardCharsets.UTF_8), null);
    JsonObject status = finished(port(), posted.bodyAsJsonObject().getString("id"));
    assertEquals("done", status.getString("status"), status.encode());
    assertEquals(2, status.getLong("rows_accepted"));
    assertEquals(4, status.getLong("rows_rejected"));
    assertEquals(new JsonObject().put("bad_value", 1).put("non_finite_value", 1).put("bad_timestamp", 1)
        .put("missing_uuid", 1), status.getJsonObject("rejected_by_reason"));
    assertEquals(1, telemetry(port(), uuid("rows", 5)).getInteger("count"));
    assertEquals(404, get(port(), "/api/v1/gpus/" + uuid("rows", 1)).statusCode());
  }

  @Test
  void uploadsAreListedShownAndAFinishedOneDeleted() {
    HttpResponse<Buffer> posted = postCsv(port(), "", "text/csv",
        fixture("list", 1, "2025-07-18T20:42:34Z").getBytes(StandardCharsets.UTF_8), null);
    String id = posted.bodyAsJsonObject().getString("id");
    finished(port(), id);
    JsonObject list = get(port(), UploadApi.UPLOADS).bodyAsJsonObject();
    assertEquals(list.getJsonArray("uploads").size(), list.getInteger("count"));
    assertTrue(list.getJsonArray("uploads").stream().anyMatch(u -> ((JsonObject) u).getString("id").equals(id)));
    HttpResponse<Buffer> deleted = await(client.delete(port(), "127.0.0.1", UploadApi.UPLOADS + "/" + id).send());
    assertEquals(204, deleted.statusCode());
    assertEquals(404, get(port(), UploadApi.UPLOADS + "/" + id).statusCode());
    HttpResponse<Buffer> again = await(client.delete(port(), "127.0.0.1", UploadApi.UPLOADS + "/" + id).send());
    assertEquals(404, again.statusCode());
    assertNotNull(again.bodyAsJsonObject().getString("error"));
    assertEquals(1, telemetry(port(), uuid("list", 0)).getInteger("count"), "its rows stay stored");
  }

  @Test
  void slowUploadsHoldTheirSlotsButNoOtherRequestAndAFullQueueIs429() {
    List<RawHttp> slow = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_QUEUED; i++) {
        RawHttp raw = RawHttp.connect(port());
        raw.send("POST " + UploadApi.UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
            + "Content-Length: 100000\r\n\r\n" + HEADER);
        slow.add(raw);
      }
      Poll.until("both slow uploads receiving", 5, () -> {
        HttpResponse<Buffer> r = postCsv(port(), "", "text/csv", "x".getBytes(StandardCharsets.UTF_8), null);
        return r.statusCode() == 429;
      });
      HttpResponse<Buffer> full = postCsv(port(), "", "text/csv", "x".getBytes(StandardCharsets.UTF_8), null);
      assertEquals(429, full.statusCode());
      assertEquals(Integer.toString(UploadApi.RETRY_AFTER_SECONDS), full.getHeader("Retry-After"));
      long t0 = System.nanoTime();
      assertEquals(200, get(port(), "/api/v1/gpus").statusCode());
      assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "other requests are answered at once");
    } finally {
      slow.forEach(RawHttp::close);
    }
    Poll.until("the abandoned uploads free their slots", 10, () -> {
      HttpResponse<Buffer> r = postCsv(port(), "", "text/csv",
          fixture("after", 1, "2025-07-18T20:42:34Z").getBytes(StandardCharsets.UTF_8), null);
      return r.statusCode() == 202;
    });
  }

  @Test
  void uploadSwitchedOffRemovesTheRoutes() {
    PipelineVerticle off = Pipelines.deploy(vertx, new JsonObject().put("roles", List.of("gateway"))
        .put("store", new JsonObject().put("type", "memory"))
        .put("transport", new JsonObject().put("type", "local"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")
            .put("upload", new JsonObject().put("enabled", false))));
    int port = off.gatewayPort();
    // as for any path that is no resource of the API: 404, not 405 (nothing there takes another method)
    assertEquals(404, postCsv(port, "", "text/csv", fixture("off", 1, "2025-07-18T20:42:34Z")
        .getBytes(StandardCharsets.UTF_8), null).statusCode());
    assertEquals(404, get(port, UploadApi.UPLOADS).statusCode());
    assertFalse(off.gateway().openApi().getJsonObject("paths").containsKey(UploadApi.UPLOAD), "nor documented");
  }

  @Test
  void theUploadRoutesRequireTheTokenWhenAuthenticationIsOn() {
    int port = secured.gatewayPort();
    byte[] csv = fixture("auth", 1, "2025-07-18T20:42:34Z").getBytes(StandardCharsets.UTF_8);
    assertEquals(401, postCsv(port, "", "text/csv", csv, null).statusCode());
    assertEquals(401, get(port, UploadApi.UPLOADS).statusCode());
    assertEquals(401, get(port, UploadApi.UPLOADS + "/x").statusCode());
    assertEquals(401, await(client.delete(port, "127.0.0.1", UploadApi.UPLOADS + "/x").send()).statusCode());
    HttpResponse<Buffer> posted = postCsv(port, "", "text/csv", csv, "s3cret");
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    String id = posted.bodyAsJsonObject().getString("id");
    JsonObject[] status = new JsonObject[1];
    Poll.until("done", 30, () -> {
      status[0] = await(client.get(port, "127.0.0.1", UploadApi.UPLOADS + "/" + id)
          .putHeader("Authorization", "Bearer s3cret").send()).bodyAsJsonObject();
      return status[0].getString("status").equals("done");
    });
    assertNull(status[0].getString("error"));
  }
}
