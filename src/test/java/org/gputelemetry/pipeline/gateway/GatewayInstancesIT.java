package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.testutil.FeedClient;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway as several HTTP servers sharing one fixed port ({@code gateway.instances}), as it
 * runs in production: every request is answered whichever instance takes the connection, each
 * instance's live feed carries every committed sample, and the WebSocket client gauge counts the
 * connections of all instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayInstancesIT {

  private static final int INSTANCES = 3;
  private Vertx vertx;
  private int port;
  private final List<FeedClient> feeds = new ArrayList<>();

  @BeforeAll
  void boot() {
    vertx = Pipelines.vertxWithMetrics();
    port = Ports.free();
    Pipelines.deploy(vertx, Pipelines.merge(Pipelines.liveAllInOne(500), new JsonObject()
        .put("gateway", new JsonObject().put("port", port).put("instances", INSTANCES))));
  }

  @AfterAll
  void shutdown() {
    feeds.forEach(FeedClient::close);
    await(vertx.close());
  }

  @Test
  void everyConnectionIsAnsweredWhicheverInstanceTakesIt() {
    // a new connection per request: the accepting event loop rotates over the instances
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    for (int i = 0; i < 4 * INSTANCES; i++) {
      JsonObject hosts = await(http.request(HttpMethod.GET, port, "127.0.0.1", "/api/v1/hosts")
          .compose(r -> r.send()).compose(r -> r.body())).toJsonObject();
      assertEquals(31, hosts.getInteger("count"));
    }
  }

  @Test
  void liveFeedsOfAllInstancesCarrySamplesAndTheGaugeCountsThemAll() {
    for (int i = 0; i < INSTANCES; i++) {
      FeedClient feed = FeedClient.connect(vertx, port, "");
      feed.control("subscribed", 10);
      feeds.add(feed);
    }
    for (FeedClient feed : feeds) {
      assertFalse(feed.samplesFor(2_000).isEmpty(), "every connection gets live samples");
    }
    HttpClient http = vertx.createHttpClient();
    Poll.until("the gauge counts every instance's connections", 10, () -> PrometheusText.sum(
        await(http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics").compose(r -> r.send()).compose(r -> r.body()))
            .toString(), "telemetry_websocket_clients") == INSTANCES);
  }
}
