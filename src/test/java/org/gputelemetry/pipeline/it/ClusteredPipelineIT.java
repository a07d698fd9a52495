package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.streamer.GpuPartitioner;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.FeedClient;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Processes in one JVM, each with its own launcher Vert.x and its own clustered Vert.x, on a
 * loopback Hazelcast cluster: a collector + gateway (memory store) and a streamer
 * ({@code conf/streamer.json}) replaying the sample once with its own timestamps. Everything the
 * streamer sends is committed by the other process and served by its gateway, REST and live feed
 * alike, and a gateway-only process's live feed carries the same batches; a second streamer
 * process that joins takes half of the GPUs from the live membership.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusteredPipelineIT {

  private Vertx central;
  private Vertx edge;
  private PipelineVerticle collector;
  private PipelineVerticle streamer;
  private WebClient client;
  private FeedClient feed;
  private int feedSamples;
  private Vertx secondEdge;
  private Vertx gatewayOnly;
  private FeedClient remoteFeed;
  private int remoteFeedSamples;
  private JsonObject transport;
  private String centralMetricsAfterReplay;

  @BeforeAll
  void boot() {
    transport = LoopbackCluster.create().transportJson("5s");
    central = Vertx.vertx();
    collector = Pipelines.deploy(central, new JsonObject()
        .put("roles", List.of("collector", "gateway"))
        .put("instanceId", "central-0")
        .put("cluster", new JsonObject().put("id", "central"))
        .put("store", new JsonObject().put("type", "memory"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("transport", transport));
    client = WebClient.create(central);
    feed = FeedClient.connect(central, collector.gatewayPort(), "");
    feed.control("subscribed", 10);
    // a gateway of its own, as the Helm chart's apiGateway pods run: no collector in its process
    gatewayOnly = Vertx.vertx();
    PipelineVerticle gateway = Pipelines.deploy(gatewayOnly, Pipelines.merge(Pipelines.descriptor("gateway.json"), new JsonObject()
        .put("instanceId", "gateway-0")
        .put("store", new JsonObject().put("type", "memory"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("transport", transport)));
    remoteFeed = FeedClient.connect(gatewayOnly, gateway.gatewayPort(), "");
    remoteFeed.control("subscribed", 10);

    edge = Vertx.vertx();
    streamer = Pipelines.deploy(edge, streamerDescriptor("edge-0", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
    await(streamer.streamer().finished(), 60);
    // read now: the latency gauge is a maximum over the last minute, and later tests may start after it
    centralMetricsAfterReplay = get(collector.gatewayPort(), "/metrics").bodyAsString();
    feedSamples = feed.samplesFor(1_000).size();
    remoteFeedSamples = remoteFeed.samplesFor(1_000).size();
  }

  /** {@code conf/streamer.json}: one pass of the sample with its own timestamps, on the test's cluster. */
  private JsonObject streamerDescriptor(String instanceId, JsonObject ops) {
    return Pipelines.merge(Pipelines.descriptor("streamer.json"), new JsonObject()
        .put("instanceId", instanceId)
        .put("cluster", new JsonObject().put("id", "edge"))
        .put("streamer", new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", 0))
        .put("ops", ops)
        .put("transport", transport));
  }

  @AfterAll
  void shutdown() {
    for (FeedClient f : new FeedClient[] {feed, remoteFeed}) {
      if (f != null) {
        f.close();
      }
    }
    for (Vertx v : new Vertx[] {secondEdge, edge, gatewayOnly, central}) {
      if (v != null) {
        await(v.close(), 60);
      }
    }
  }

  private HttpResponse<Buffer> get(int port, String uri) {
    return await(client.get(port, "127.0.0.1", uri).send());
  }

  @Test
  void gatewayServesEveryGpuAndEverySampleTheOtherProcessStreamed() {
    JsonObject gpus = get(collector.gatewayPort(), "/api/v1/gpus").bodyAsJsonObject();
    assertEquals(DcgmSampleFile.GPUS, gpus.getInteger("count"));
    List<Future<Integer>> counts = SampleCsv.byGpu().keySet().stream()
        .map(uuid -> client.get(collector.gatewayPort(), "127.0.0.1", "/api/v1/gpus/"
            + URLEncoder.encode(uuid, StandardCharsets.UTF_8) + "/telemetry?limit=10000").send()
            .map(r -> r.bodyAsJsonObject().getInteger("count")))
        .toList();
    assertEquals(DcgmSampleFile.ROWS, await(Future.all(counts)).<Integer>list().stream().mapToInt(Integer::intValue).sum());
    assertEquals((double) DcgmSampleFile.ROWS, streamer.metrics().rowsStreamed.count(), "each row sent once");
  }

  @Test
  void liveFeedOfTheGatewayCarriesBatchesCommittedFromTheOtherProcess() {
    assertEquals(DcgmSampleFile.ROWS, feedSamples, "each committed sample once, not again from the shared copy");
  }

  @Test
  void liveFeedOfAGatewayWithoutCollectorCarriesWhatTheCollectorsCommitted() {
    assertEquals(DcgmSampleFile.ROWS, remoteFeedSamples);
  }

  @Test
  void secondStreamerProcessTakesItsShareOfTheGpusFromTheMembership() {
    assertEquals("1/1", share(streamer.opsPort()), "the only streamer of the membership owns every GPU");
    secondEdge = Vertx.vertx();
    PipelineVerticle second = Pipelines.deploy(secondEdge, streamerDescriptor("edge-1", new JsonObject().put("enabled", false)));
    Poll.until("edge-0 re-split to 1/2", 15, () -> "1/2".equals(share(streamer.opsPort())));
    await(second.streamer().finished(), 60);
    assertEquals("2/2", second.streamer().status().getString("share"));
    long rowsOfItsGpus = SampleCsv.rows().stream().filter(r -> GpuPartitioner.owns(new Assignment(1, 2), r.uuid())).count();
    assertEquals((double) rowsOfItsGpus, second.metrics().rowsStreamed.count(), "its first pass replayed only its share");
  }

  private String share(int opsPort) {
    return get(opsPort, "/ready").bodyAsJsonObject().getJsonObject("checks").getJsonObject("streamer").getString("share");
  }

  @Test
  void readinessOfBothProcessesShowsTheClusteredTransportUp() {
    for (int port : new int[] {collector.gatewayPort(), streamer.opsPort()}) {
      HttpResponse<Buffer> ready = get(port, "/ready");
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      JsonObject transport = ready.bodyAsJsonObject().getJsonObject("checks").getJsonObject("transport");
      assertEquals(Map.of("status", "UP", "type", "clustered"), transport.getMap());
    }
  }

  @Test
  void metricsReportTheClusteredTransportConnected() {
    for (int port : new int[] {collector.gatewayPort(), streamer.opsPort()}) {
      String text = get(port, "/metrics").bodyAsString();
      assertEquals(1.0, PrometheusText.sum(text, "message_queue_connection_status",
          port == streamer.opsPort() ? "cluster=\"edge\",component=\"streamer\",transport=\"clustered\""
              : "cluster=\"central\",component=\"collector\",transport=\"clustered\""), text);
    }
  }

  @Test
  void theCollectorMeasuresTheBatchesCrossingFromTheEdgeCluster() {
    double latency = PrometheusText.sum(centralMetricsAfterReplay, "cross_cluster_latency_seconds",
        "source_cluster=\"edge\",target_cluster=\"central\"");
    // event-bus headers stamped at send, read at receipt: one host, one clock, a loopback hop
    assertTrue(latency > 0 && latency < 5, "send-to-receive seconds: " + latency);
    assertFalse(centralMetricsAfterReplay.contains("source_cluster=\"central\""), "the collector sent nothing itself");
    // a streamer process receives no batches: it measures nothing
    assertFalse(PrometheusText.has(get(streamer.opsPort(), "/metrics").bodyAsString(), "cross_cluster_latency_seconds"));
  }
}
