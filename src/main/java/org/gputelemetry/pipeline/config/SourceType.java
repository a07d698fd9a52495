package org.gputelemetry.pipeline.config;

/**
 * Where a streamer's telemetry comes from ({@code streamer.source.type}): a DCGM exporter CSV
 * replayed ({@code csv}), a seeded simulated fleet ({@code simulate}), or dcgm-exporter endpoints
 * scraped over HTTP ({@code dcgm-exporter}).
 */
public enum SourceType implements ConfigChoice {
  CSV, SIMULATE, DCGM_EXPORTER;

  @Override
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
