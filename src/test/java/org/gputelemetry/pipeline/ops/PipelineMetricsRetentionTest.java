package org.gputelemetry.pipeline.ops;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Meters registered with functions the caller does not keep must survive a garbage collection. */
class PipelineMetricsRetentionTest {

  @Test
  void functionMetersKeepTheirValueAfterGarbageCollection() throws InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PipelineMetrics metrics = new PipelineMetrics(registry);
    registerWithoutKeepingReferences(metrics);

    forceGarbageCollection();

    String scrape = registry.scrape();
    assertTrue(scrape.contains("telemetry_rows_rejected_total{reason=\"bad_value\"} 7.0"), scrape);
    assertTrue(scrape.contains("telemetry_transport_queue_depth{queue=\"test\"} 3.0"), scrape);
    assertTrue(scrape.contains("telemetry_websocket_clients 2.0"), scrape);
    assertTrue(scrape.contains("message_queue_connection_status{cluster=\"local\",component=\"collector\",transport=\"test\"} 1.0"), scrape);
  }

  /** In its own frame, so nothing on the test's stack refers to the lambdas or their state. */
  private static void registerWithoutKeepingReferences(PipelineMetrics metrics) {
    AtomicLong rejected = new AtomicLong(7);
    metrics.rowsRejected("bad_value", () -> rejected.get());
    AtomicLong depth = new AtomicLong(3);
    metrics.queueDepth("test", () -> depth.get());
    AtomicLong clients = new AtomicLong(2);
    metrics.websocketClients(() -> clients.get());
    metrics.connectionStatus("local", "collector", "test", () -> clients.get() > 0);
  }

  /** Collects until a weakly held sentinel is gone, so the test knows a collection really ran. */
  private static void forceGarbageCollection() throws InterruptedException {
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    for (int i = 0; i < 50 && sentinel.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertNull(sentinel.get(), "no garbage collection ran");
    System.gc();
  }
}
