package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV uploaded to a gateway-only process (as the chart's apiGateway pods run,
 * {@code conf/gateway.json}) reaches the collector of another process through the transport and is
 * served by that process's REST API: over the clustered transport (Hazelcast on loopback) and over
 * Redis (the gateway opens the edge producer at its first upload). Each process has its own
 * Vert.x (and clustered Vert.x), as separate pods would.
 */
class CsvUploadSplitIT {

  @TempDir
  Path tmp;
  private final List<Vertx> vertxes = new ArrayList<>();
  private RedisServer redis;

  @AfterEach
  void shutdown() {
    for (Vertx v : vertxes) {
      await(v.close(), 60);
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void uploadToAGatewayOnlyProcessIsCommittedByTheCollectorOfAnotherOverTheClusteredTransport() {
    JsonObject transport = LoopbackCluster.create().transportJson("5s");
    uploadThroughGatewayOnlyProcess(transport);
  }

  @Test
  void uploadToAGatewayOnlyProcessIsCommittedByTheCollectorOfAnotherOverRedis() {
    redis = RedisServer.launch(null, null);
    JsonObject transport = new JsonObject().put("type", "redis")
        .put("redis", new JsonObject().put("host", "127.0.0.1").put("port", redis.port())
            .put("stream", "uploads-" + System.nanoTime()).put("claimIdle", "2s").put("timeout", "2s"))
        .put("spool", new JsonObject().put("dir", tmp.resolve("spool").toString()));
    uploadThroughGatewayOnlyProcess(transport);
  }

  private void uploadThroughGatewayOnlyProcess(JsonObject transport) {
    Vertx central = vertx();
    PipelineVerticle collector = Pipelines.deploy(central, new JsonObject()
        .put("roles", List.of("collector", "gateway"))
        .put("instanceId", "central-0")
        .put("store", new JsonObject().put("type", "memory"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")
            .put("upload", new JsonObject().put("dir", tmp.resolve("central-uploads").toString())))
        .put("transport", transport));
    Vertx front = vertx();
    PipelineVerticle gateway = Pipelines.deploy(front, Pipelines.merge(Pipelines.descriptor("gateway.json"),
        new JsonObject()
            .put("instanceId", "gateway-0")
            .put("store", new JsonObject().put("type", "memory"))
            .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")
                .put("upload", new JsonObject().put("dir", tmp.resolve("gateway-uploads").toString())))
            .put("transport", transport)));
    WebClient client = WebClient.create(front);

    HttpResponse<Buffer> posted = await(client.post(gateway.gatewayPort(), "127.0.0.1", "/api/v1/csv/upload")
        .putHeader("Content-Type", "text/csv").sendBuffer(Buffer.buffer(sample())), 30);
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    String id = posted.bodyAsJsonObject().getString("id");
    JsonObject[] status = new JsonObject[1];
    Poll.until("upload done", 60, () -> {
      status[0] = await(client.get(gateway.gatewayPort(), "127.0.0.1", "/api/v1/csv/uploads/" + id).send())
          .bodyAsJsonObject();
      return !status[0].getString("status").equals("queued") && !status[0].getString("status").equals("running");
    });
    assertEquals("done", status[0].getString("status"), status[0].encode());
    assertEquals(DcgmSampleFile.ROWS, status[0].getLong("rows_accepted"));

    // served by the collector's process: every row of the file, with its own timestamps
    Poll.until("every row committed by the other process", 30, () -> storedRows(client, collector.gatewayPort())
        == DcgmSampleFile.ROWS);
    String gpu = SampleCsv.byGpu().keySet().iterator().next();
    JsonObject page = await(client.get(collector.gatewayPort(), "127.0.0.1", "/api/v1/gpus/"
        + URLEncoder.encode(gpu, StandardCharsets.UTF_8) + "/telemetry?limit=100").send()).bodyAsJsonObject();
    assertEquals(SampleCsv.byGpu().get(gpu).stream().map(r -> r.instant().toString()).sorted().toList(),
        page.getJsonArray("samples").stream().map(s -> java.time.Instant.parse(((JsonObject) s)
            .getString("timestamp")).toString()).sorted().toList());
  }

  private static int storedRows(WebClient client, int port) {
    List<Future<Integer>> counts = SampleCsv.byGpu().keySet().stream()
        .map(uuid -> client.get(port, "127.0.0.1", "/api/v1/gpus/" + URLEncoder.encode(uuid, StandardCharsets.UTF_8)
                + "/telemetry?limit=10000").send()
            .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject().getInteger("count") : 0))
        .toList();
    return await(Future.all(counts), 30).<Integer>list().stream().mapToInt(Integer::intValue).sum();
  }

  private Vertx vertx() {
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    return v;
  }

  private static byte[] sample() {
    try (InputStream in = CsvUploadSplitIT.class.getResourceAsStream("/" + DcgmSampleFile.RESOURCE)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
