package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.FeedClient;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The live feed of a running all-in-one pipeline (live replay at 10,000 rows/s): filters given
 * on the URL and changed on the open socket, a client that stops reading (ingest unaffected,
 * drops counted and reported), and reconnecting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketFeedIT {

  private static final int ROWS_PER_SECOND = 10_000;
  private static final int QUEUE = 2_000;

  private Vertx vertx;
  private PipelineVerticle pipeline;
  private int port;
  private final SampleCsv.Row someRow = SampleCsv.rows().get(0);

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    pipeline = Pipelines.deploy(vertx, Pipelines.merge(Pipelines.liveAllInOne(ROWS_PER_SECOND),
        new JsonObject().put("gateway", new JsonObject().put("websocket", new JsonObject().put("queueSize", QUEUE)))));
    port = pipeline.gatewayPort();
    Poll.until("samples committed", 30, () -> pipeline.metrics().samplesPersisted.count() > 0);
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void unfilteredClientGetsCommittedSamplesInTheRestShapePlusUuid() {
    try (FeedClient c = FeedClient.connect(vertx, port, "")) {
      JsonObject hello = c.control("subscribed", 5);
      assertNull(hello.getString("gpu"));
      List<JsonObject> samples = c.samplesFor(1500);
      assertTrue(samples.size() > 1000, "got " + samples.size());
      JsonObject s = samples.get(0);
      for (String key : List.of("uuid", "timestamp", "metric", "value", "hostname")) {
        assertTrue(s.containsKey(key), "missing " + key + " in " + s.encode());
      }
      assertTrue(samples.stream().map(o -> o.getString("uuid")).distinct().count() > 100, "the whole fleet");
    }
  }

  @Test
  void gpuFilterOnTheUrlSelectsOneGpu() {
    try (FeedClient c = FeedClient.connect(vertx, port, "gpu=" + someRow.uuid())) {
      assertEquals(someRow.uuid(), c.control("subscribed", 5).getString("gpu"));
      List<JsonObject> samples = c.samplesFor(2500);
      assertFalse(samples.isEmpty());
      samples.forEach(s -> assertEquals(someRow.uuid(), s.getString("uuid")));
    }
  }

  @Test
  void metricAndHostnameFiltersCombine() {
    String query = "metric=" + someRow.metric() + "&hostname=" + someRow.hostname();
    try (FeedClient c = FeedClient.connect(vertx, port, query)) {
      c.control("subscribed", 5);
      List<JsonObject> samples = c.samplesFor(2500);
      assertFalse(samples.isEmpty());
      for (JsonObject s : samples) {
        assertEquals(someRow.metric(), s.getString("metric"));
        assertEquals(someRow.hostname(), s.getString("hostname"));
      }
      assertTrue(samples.stream().map(o -> o.getString("uuid")).distinct().count() > 1, "all GPUs of the host");
    }
  }

  @Test
  void subscribeMessageChangesTheFilterOnTheOpenSocket() {
    try (FeedClient c = FeedClient.connect(vertx, port, "metric=" + someRow.metric())) {
      c.control("subscribed", 5);
      String other = SampleCsv.rows().stream().map(SampleCsv.Row::metric).filter(m -> !m.equals(someRow.metric()))
          .findFirst().orElseThrow();
      c.send(new JsonObject().put("type", "subscribe").put("metric", other).put("gpu", someRow.uuid()));
      JsonObject ack = c.control("subscribed", 5);
      assertEquals(other, ack.getString("metric"));
      assertEquals(someRow.uuid(), ack.getString("gpu"));
      assertNull(ack.getString("hostname"));
      List<JsonObject> samples = c.samplesFor(2500);
      assertFalse(samples.isEmpty());
      for (JsonObject s : samples) {
        assertEquals(other, s.getString("metric"));
        assertEquals(someRow.uuid(), s.getString("uuid"));
      }
      c.send(new JsonObject().put("type", "unsubscribe"));
      assertTrue(c.control("error", 5).getString("error").contains("unsubscribe"));
      c.socket().writeTextMessage("not json");
      assertTrue(c.control("error", 5).getString("error").contains("JSON"));
      c.send(new JsonObject().put("type", "subscribe").put("gpu", 42));
      assertTrue(c.control("error", 5).getString("error").contains("gpu"));
    }
  }

  @Test
  void slowClientGetsDropsCountedAndNeverSlowsIngest() throws InterruptedException {
    double baseline = committedRate(3000);
    double droppedBefore = pipeline.metrics().websocketDropped.count();
    try (FeedClient slow = FeedClient.connect(vertx, port, "", 4096);
         FeedClient healthy = FeedClient.connect(vertx, port, "")) {
      slow.control("subscribed", 5);
      slow.socket().pause();
      Poll.until("samples dropped for the stalled client", 60,
          () -> pipeline.metrics().websocketDropped.count() > droppedBefore);
      double whileStalled = committedRate(3000);
      assertTrue(whileStalled > 0.8 * baseline, "ingest slowed by a stalled client: " + baseline + " -> " + whileStalled);
      // the healthy client still receives everything live meanwhile
      healthy.drain();
      assertTrue(healthy.samplesFor(1000).size() > ROWS_PER_SECOND / 4, "healthy client starved");
      // the stalled client's backlog is bounded by the queue, and it is told what it lost
      slow.socket().resume();
      JsonObject dropped = slow.control("dropped", 30);
      assertTrue(dropped.getLong("count") > 0, dropped.encode());
      // and, reading again, catches up and goes on receiving
      slow.drain();
      assertFalse(slow.samplesFor(1500).isEmpty(), "the resumed client receives again");
    }
    Poll.until("both connections closed", 10, () -> pipeline.gateway().feed().clients() == 0);
    String scraped = await(WebClient.create(vertx).get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
    assertTrue(org.gputelemetry.pipeline.testutil.PrometheusText.sum(scraped, "telemetry_websocket_dropped_total") > 0);
  }

  @Test
  void clientReconnectsAndResumesReceiving() {
    // clients of earlier tests may still be closing: count from none
    Poll.until("earlier tests' clients gone", 30, () -> pipeline.gateway().feed().clients() == 0);
    int before = 0;
    FeedClient first = FeedClient.connect(vertx, port, "gpu=" + someRow.uuid());
    first.control("subscribed", 5);
    assertFalse(first.samplesFor(2500).isEmpty());
    Poll.until("one more client", 30, () -> pipeline.gateway().feed().clients() == before + 1);
    first.close();
    Poll.until("client count back", 30, () -> pipeline.gateway().feed().clients() == before);
    try (FeedClient again = FeedClient.connect(vertx, port, "gpu=" + someRow.uuid())) {
      again.control("subscribed", 5);
      assertFalse(again.samplesFor(2500).isEmpty());
      assertEquals(before + 1, pipeline.gateway().feed().clients());
    }
  }

  @Test
  void plainHttpRequestToTheFeedIs400() {
    int status = await(WebClient.create(vertx).get(port, "127.0.0.1", "/ws/telemetry").send()).statusCode();
    assertEquals(400, status);
  }

  private double committedRate(long millis) throws InterruptedException {
    double before = pipeline.metrics().samplesPersisted.count();
    long t0 = System.nanoTime();
    Thread.sleep(millis);
    return (pipeline.metrics().samplesPersisted.count() - before) / ((System.nanoTime() - t0) / 1e9);
  }
}
