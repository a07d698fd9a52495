package org.gputelemetry.pipeline.ops;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.gputelemetry.pipeline.testutil.Promtool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a running all-in-one pipeline with Vert.x metrics on (as {@code java -jar}
 * starts it): Vert.x's own meters and the pipeline's, under their Prometheus names, moving under
 * load; and the ops server of a process without the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointIT {

  private Vertx vertx;
  private WebClient client;
  private PipelineVerticle pipeline;
  private Path checkpointDir;

  @BeforeAll
  void boot() {
    vertx = Pipelines.vertxWithMetrics();
    // checkpoints on, so their meters are in the scrape promtool checks
    Path checkpoint;
    try {
      checkpointDir = Files.createTempDirectory("metrics-it");
      checkpoint = checkpointDir.resolve("checkpoint");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    pipeline = Pipelines.deploy(vertx, Pipelines.merge(Pipelines.liveAllInOne(4000), new JsonObject().put("collector",
        new JsonObject().put("store", new JsonObject().put("type", "memory").put("checkpoint", new JsonObject()
            .put("enabled", true).put("path", checkpoint.toString()).put("interval", "1s"))))));
    client = WebClient.create(vertx);
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (checkpointDir != null) {
      try (java.util.stream.Stream<Path> files = Files.list(checkpointDir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
        Files.delete(checkpointDir);
      } catch (java.io.IOException e) {
        // a temp directory left behind is harmless
      }
    }
  }

  private String scrape(int port) {
    HttpResponse<Buffer> r = await(client.get(port, "127.0.0.1", "/metrics").send());
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("content-type").startsWith("text/plain"), r.getHeader("content-type"));
    return r.bodyAsString();
  }

  @Test
  void exposesPipelineAndVertxMetricsUnderConventionalNames() {
    Poll.until("a committed batch", 30, () -> pipeline.metrics().samplesPersisted.count() > 0);
    String text = scrape(pipeline.gatewayPort());
    for (String name : List.of("telemetry_rows_streamed_total", "telemetry_rows_rejected_total",
        "telemetry_batches_sent_total", "telemetry_batches_retried_total", "telemetry_batches_refused_total",
        "telemetry_transport_queue_depth", "telemetry_samples_persisted_total", "telemetry_store_write_failures_total",
        "telemetry_store_write_seconds_bucket", "telemetry_store_write_seconds_count",
        "telemetry_end_to_end_lag_seconds_bucket", "telemetry_end_to_end_lag_seconds_sum",
        "telemetry_websocket_clients", "telemetry_websocket_sent_total", "telemetry_websocket_dropped_total",
        "message_queue_connection_status",
        "telemetry_checkpoint_duration_seconds_bucket", "telemetry_checkpoint_failures_total",
        "telemetry_checkpoint_last_success_timestamp_seconds", "telemetry_checkpoint_bytes", "telemetry_checkpoint_samples",
        "telemetry_store_memory_bytes", "telemetry_store_samples", "telemetry_store_evicted_samples_total",
        // Vert.x's own (vertx-micrometer-metrics) and the JVM's
        "vertx_http_server_active_connections", "vertx_eventbus_handlers", "jvm_memory_used_bytes")) {
      assertTrue(PrometheusText.has(text, name), "missing " + name);
    }
    assertEquals(1.0, PrometheusText.sum(text, "message_queue_connection_status", "component=\"collector\",transport=\"local\""));
    // the memory store reports what it holds
    assertTrue(PrometheusText.sum(text, "telemetry_store_samples") > 0, text);
    assertTrue(PrometheusText.sum(text, "telemetry_store_memory_bytes") > 0, text);
    assertTrue(PrometheusText.has(text, "telemetry_rows_rejected_total{reason=\"bad_value\"}")
        || text.contains("reason=\"bad_value\""), "rejects are labelled by reason");
    assertTrue(text.contains("queue=\"collector\"") && text.contains("queue=\"streamer\""), "queue depth per ring");
  }

  @Test
  void promtoolAcceptsTheScrape(@TempDir Path dir) throws Exception {
    Poll.until("a committed batch", 30, () -> pipeline.metrics().samplesPersisted.count() > 0);
    Poll.until("a checkpoint written", 30, () -> PrometheusText.sum(scrape(pipeline.gatewayPort()),
        "telemetry_checkpoint_last_success_timestamp_seconds") > 0);
    String text = scrape(pipeline.gatewayPort());
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, text);
    Promtool.Result result = Promtool.run(dir, file, "check", "metrics");
    assertEquals(0, result.exitCode(), "promtool check metrics:\n" + result.output());
    // the replacements of the abbreviated-unit counters are there, in seconds
    assertTrue(PrometheusText.has(text, "jvm_compilation_time_seconds_total"), "jvm_compilation_time_seconds_total");
    assertTrue(PrometheusText.has(text, "process_cpu_seconds_total"), "process_cpu_seconds_total");
    assertTrue(PrometheusText.has(text, "system_cpu_cores"), "system_cpu_cores");
    assertFalse(text.contains("jvm_compilation_time_ms_total") || text.contains("process_cpu_time_ns_total")
        || text.contains("system_cpu_count"), "the abbreviated names are gone");
  }

  @Test
  void countersMoveUnderLoad() throws InterruptedException {
    Poll.until("a committed batch", 30, () -> pipeline.metrics().samplesPersisted.count() > 0);
    String before = scrape(pipeline.gatewayPort());
    Thread.sleep(1500);
    String after = scrape(pipeline.gatewayPort());
    for (String name : List.of("telemetry_rows_streamed_total", "telemetry_batches_sent_total",
        "telemetry_samples_persisted_total", "telemetry_store_write_seconds_count",
        "telemetry_end_to_end_lag_seconds_count")) {
      double a = PrometheusText.sum(before, name);
      double b = PrometheusText.sum(after, name);
      assertTrue(b > a, name + " did not increase: " + a + " -> " + b);
    }
    // Vert.x counts the scrapes themselves
    assertTrue(PrometheusText.sum(after, "vertx_http_server_requests_total")
        > PrometheusText.sum(before, "vertx_http_server_requests_total"));
  }

  @Test
  void factoryTurnsPrometheusOnUnlessToldOtherwise() {
    PrometheusMetricsFactory factory = new PrometheusMetricsFactory();
    MetricsOptions fromDefault = factory.newOptions(new MetricsOptions());
    assertTrue(fromDefault.isEnabled());
    assertTrue(((MicrometerMetricsOptions) fromDefault).getPrometheusOptions().isEnabled());
    assertTrue(factory.newOptions().isEnabled());
    // explicit options (-options '{"metricsOptions":{...}}') are read as given
    assertFalse(factory.newOptions(new JsonObject().put("enabled", false)).isEnabled());
    assertFalse(factory.newOptions(new MicrometerMetricsOptions().setEnabled(false)).isEnabled());
  }

  @Test
  void processWithoutGatewayServesHealthReadyAndMetricsOnTheOpsPort() {
    Vertx other = Vertx.vertx();
    try {
      JsonObject descriptor = Pipelines.merge(Pipelines.liveAllInOne(500), new JsonObject()
          .put("roles", new JsonArray().add("streamer").add("collector"))
          .put("ops", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
      PipelineVerticle p = Pipelines.deploy(other, descriptor);
      assertEquals(-1, p.gatewayPort());
      int port = p.opsPort();
      assertTrue(port > 0);
      WebClient c = WebClient.create(other);
      assertEquals("UP", await(c.get(port, "127.0.0.1", "/health").send()).bodyAsJsonObject().getString("status"));
      HttpResponse<Buffer> ready = await(c.get(port, "127.0.0.1", "/ready").send());
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      JsonObject checks = ready.bodyAsJsonObject().getJsonObject("checks");
      assertEquals(List.of("store", "transport", "collector", "streamer"), List.copyOf(checks.fieldNames()));
      Poll.until("rows streamed", 30, () -> p.metrics().rowsStreamed.count() > 0);
      String text = await(c.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
      assertTrue(PrometheusText.sum(text, "telemetry_rows_streamed_total") > 0, text);
      assertEquals(404, await(c.get(port, "127.0.0.1", "/api/v1/gpus").send()).statusCode(), "ops serves nothing else");
    } finally {
      await(other.close());
    }
  }
}
