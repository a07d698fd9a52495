package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.SwitchableStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /health} and {@code /ready} of a running pipeline whose store goes away and comes back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayHealthIT {

  private Vertx vertx;
  private WebClient client;
  private final SwitchableStore store = new SwitchableStore(10_000);

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, Pipelines.liveAllInOne(1000), store);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));
  }

  @AfterAll
  void shutdown() {
    store.down.set(false);
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private HttpResponse<Buffer> get(String uri) {
    return await(client.get(uri).send());
  }

  @Test
  void readyFlipsTo503WhileTheStoreIsAwayAndBackWhenItReturns() {
    Poll.until("ready", 30, () -> get("/ready").statusCode() == 200);
    JsonObject up = get("/ready").bodyAsJsonObject();
    assertEquals("UP", up.getString("status"));
    assertEquals("memory", up.getJsonObject("checks").getJsonObject("store").getString("type"));

    store.down.set(true);
    Poll.until("/ready 503", 10, () -> get("/ready").statusCode() == 503);
    JsonObject down = get("/ready").bodyAsJsonObject();
    assertEquals("DOWN", down.getString("status"));
    JsonObject storeCheck = down.getJsonObject("checks").getJsonObject("store");
    assertEquals("DOWN", storeCheck.getString("status"));
    assertNotNull(storeCheck.getString("error"));
    assertEquals("UP", down.getJsonObject("checks").getJsonObject("transport").getString("status"));
    // liveness is not readiness: the process is alive and must not be restarted for this
    assertEquals(200, get("/health").statusCode());
    HttpResponse<Buffer> query = get("/api/v1/gpus");
    assertEquals(503, query.statusCode());
    assertNotNull(query.bodyAsJsonObject().getString("error"));

    store.down.set(false);
    Poll.until("/ready 200 again", 10, () -> get("/ready").statusCode() == 200);
    assertEquals(200, get("/api/v1/gpus").statusCode());
  }
}
