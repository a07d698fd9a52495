package org.gputelemetry.pipeline.ops;

import io.vertx.core.metrics.MetricsOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * Vert.x's Micrometer metrics factory, with Prometheus metrics <em>on</em> unless told otherwise,
 * so that {@code java -jar telemetry-pipeline.jar} exposes Vert.x's own metrics on {@code /metrics}
 * without {@code -Dvertx.metrics.options.enabled=true}.
 *
 * <p>How: the launcher ({@code VertxApplication}) looks up the one {@code VertxMetricsFactory}
 * registered as a {@code VertxServiceProvider} and asks it for the metrics options; when the
 * command line gives none, it passes Vert.x's default (disabled) options to
 * {@link #newOptions(MetricsOptions)}, which answers with {@link #defaults()} here. The shaded jar
 * registers this class instead of vertx-micrometer's factory (see the pom). Explicit settings still
 * win: {@code -Dvertx.metrics.options.enabled=false} (applied by the launcher afterwards) or
 * {@code -options '{"metricsOptions":{...}}'} (read as given).
 */
public final class PrometheusMetricsFactory extends MicrometerMetricsFactory {

  /** Micrometer metrics on, Prometheus backend (scraped through the HTTP server's {@code /metrics}), JVM metrics on. */
  public static MicrometerMetricsOptions defaults() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }

  /** The registry Vert.x fills is made with the filters that keep names promtool accepts ({@link PrometheusNames}). */
  public PrometheusMetricsFactory() {
    super(PrometheusNames.registry());
  }

  @Override
  public MetricsOptions newOptions() {
    return defaults();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    if (options == null || isUntouchedDefault(options)) {
      return defaults();
    }
    return super.newOptions(options);
  }

  /** Vert.x's own default (plain and disabled): nobody asked for anything. */
  private static boolean isUntouchedDefault(MetricsOptions options) {
    return options.getClass() == MetricsOptions.class && !options.isEnabled();
  }
}
