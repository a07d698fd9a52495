package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots the all-in-one pipeline on the {@code simulate} source (32 GPUs ticking every 200 ms) and
 * checks through HTTP that the fleet is listed and alive: its utilisation values move.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatedFleetPipelineIT {

  private static final int GPUS = 32;
  private Vertx vertx;
  private WebClient client;
  private PipelineVerticle pipeline;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one.json"), new JsonObject()
        .put("streamer", new JsonObject().put("source", new JsonObject()
            .put("type", "simulate").put("gpus", GPUS).put("gpusPerHost", 4).put("interval", "200ms").put("seed", 3)))
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
  }

  private JsonObject get(String uri) {
    HttpResponse<Buffer> r = await(client.get(uri).send());
    assertEquals(200, r.statusCode(), uri + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void listsTheWholeSimulatedFleetOnItsHosts() {
    Poll.until("32 GPUs listed", 30, () -> get("/api/v1/gpus").getInteger("count") == GPUS);
    JsonArray gpus = get("/api/v1/gpus").getJsonArray("gpus");
    assertEquals(GPUS, gpus.size());
    assertEquals(GPUS, gpus.stream().map(o -> ((JsonObject) o).getString("uuid")).distinct().count());
    assertEquals(GPUS / 4, get("/api/v1/hosts").getInteger("count"));
    assertEquals(10, get("/api/v1/metrics").getJsonArray("metrics").size());
  }

  @Test
  void utilisationMovesOverTime() {
    Poll.until("32 GPUs listed", 30, () -> get("/api/v1/gpus").getInteger("count") == GPUS);
    List<String> uuids = get("/api/v1/gpus").getJsonArray("gpus").stream()
        .map(o -> ((JsonObject) o).getString("uuid")).toList();
    // 200 ms ticks: within a few seconds each GPU has many utilisation samples, and across the fleet they differ
    Poll.until("utilisation series that move", 30, () -> {
      int moving = 0;
      for (String uuid : uuids) {
        JsonArray samples = get("/api/v1/gpus/" + URLEncoder.encode(uuid, StandardCharsets.UTF_8)
            + "/telemetry?metric=DCGM_FI_DEV_GPU_UTIL&limit=100").getJsonArray("samples");
        Set<Double> values = new HashSet<>();
        Set<String> times = new HashSet<>();
        samples.forEach(o -> {
          values.add(((JsonObject) o).getDouble("value"));
          times.add(((JsonObject) o).getString("timestamp"));
        });
        assertEquals(samples.size(), times.size(), "one utilisation sample per tick for " + uuid);
        if (values.size() > 1) {
          moving++;
        }
      }
      return moving >= GPUS / 2;
    });
  }

  @Test
  void readinessNamesTheSource() {
    JsonObject streamer = get("/ready").getJsonObject("checks").getJsonObject("streamer");
    assertEquals("simulate", streamer.getString("source"), streamer.encode());
    Poll.until("ticks", 30, () -> get("/ready").getJsonObject("checks").getJsonObject("streamer").getLong("ticks") > 3);
    assertEquals(GPUS, get("/ready").getJsonObject("checks").getJsonObject("streamer").getInteger("gpus"));
    assertTrue(!get("/ready").getJsonObject("checks").getJsonObject("streamer").getBoolean("finished"));
  }
}
