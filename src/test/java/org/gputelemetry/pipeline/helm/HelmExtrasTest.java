package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.allFeatures;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.labels;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extras behind their flags: monitoring (ServiceMonitor, alerts, dashboard), ingress, autoscaling, the helm test. */
class HelmExtrasTest {

  @Test
  void monitoringScrapesMetricsAndAlertsOnThePipelinesMetrics() throws IOException {
    RenderedChart chart = allFeatures();

    Map<String, Object> monitor = chart.ofKind("ServiceMonitor").get(0);
    assertTrue(list(at(monitor, "spec.endpoints")).stream().map(RenderedChart::map)
        .allMatch(e -> "/metrics".equals(e.get("path"))));
    Map<String, String> alerts = new HashMap<>();
    for (Object rule : list(map(list(at(chart.ofKind("PrometheusRule").get(0), "spec.groups")).get(0)).get("rules"))) {
      alerts.put(String.valueOf(map(rule).get("alert")), String.valueOf(map(rule).get("expr")));
    }
    assertTrue(alerts.get("RedisConnectionLost").contains("message_queue_connection_status"));
    assertTrue(alerts.get("RedisConnectionLost").contains("== 0"));
    assertTrue(alerts.get("TelemetryHighEndToEndLag").contains("histogram_quantile"));
    assertTrue(alerts.get("TelemetryHighEndToEndLag").contains("telemetry_end_to_end_lag_seconds_bucket"));
    assertTrue(alerts.get("TelemetryHighRejectRate").contains("rate(telemetry_rows_rejected_total"));
    assertTrue(alerts.containsKey("CollectorDown"));

    Map<String, Object> dashboard = chart.ofKind("ConfigMap").stream()
        .filter(c -> "1".equals(labels(c).get("grafana_dashboard"))).findFirst().orElseThrow();
    String json = data(dashboard, "telemetry-pipeline.json");
    JsonObject parsed = new JsonObject(json);
    assertFalse(parsed.getJsonArray("panels").isEmpty());
    for (String metric : List.of("telemetry_rows_streamed_total", "telemetry_rows_rejected_total",
        "telemetry_batches_sent_total", "telemetry_transport_queue_depth", "telemetry_samples_persisted_total",
        "telemetry_store_write_seconds", "telemetry_end_to_end_lag_seconds", "telemetry_websocket_clients",
        "telemetry_websocket_dropped_total", "message_queue_connection_status", "cross_cluster_latency_seconds",
        "telemetry_checkpoint_last_success_timestamp_seconds")) {
      assertTrue(json.contains(metric), "dashboard panel on " + metric);
    }
  }

  @Test
  void gatewayExtrasRender() {
    RenderedChart chart = allFeatures();

    Map<String, Object> ingress = chart.ofKind("Ingress").get(0);
    assertEquals("telemetry-full-telemetry-pipeline-api-gateway",
        at(map(list(at(map(list(at(ingress, "spec.rules")).get(0)), "http.paths")).get(0)), "backend.service.name"));
    Map<String, Object> gateway = container(chart.workload("api-gateway"));
    assertEquals("https://dashboard.example.com", at(envEntry(gateway, "GATEWAY_CORS_ALLOWED_ORIGINS"), "value"));
    assertEquals("GET,OPTIONS", at(envEntry(gateway, "GATEWAY_CORS_ALLOWED_METHODS"), "value"));
    assertEquals(1, chart.ofKind("HorizontalPodAutoscaler").size());
    assertEquals(1, chart.ofKind("PodDisruptionBudget").size());
    assertEquals(3, chart.ofKind("NetworkPolicy").size());
    assertEquals("DaemonSet", chart.workload("streamer").get("kind"));
  }

  @Test
  void helmTestCurlsTheGatewayHealth() throws IOException {
    // helm-java's template leaves hooks out of its output, so read the template itself.
    String test = Files.readString(RenderedChart.CHART.resolve("templates/tests/test-connection.yaml"));
    assertTrue(test.contains("\"helm.sh/hook\": test"));
    assertTrue(test.contains("/health\""));
    String notes = Files.readString(RenderedChart.CHART.resolve("templates/NOTES.txt"));
    assertTrue(notes.contains("kubectl port-forward"));
    assertTrue(notes.contains("://127.0.0.1:8080" + org.gputelemetry.pipeline.gateway.LiveFeed.PATH), "the live feed");
  }
}
