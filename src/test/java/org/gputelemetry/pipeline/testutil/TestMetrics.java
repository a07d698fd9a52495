package org.gputelemetry.pipeline.testutil;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.gputelemetry.pipeline.ops.PipelineMetrics;

/** The pipeline's meters on a registry of their own, for tests that build a component outside a pipeline. */
public final class TestMetrics {

  private TestMetrics() {
  }

  public static PipelineMetrics create() {
    return new PipelineMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }
}
