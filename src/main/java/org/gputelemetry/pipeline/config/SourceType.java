package org.gputelemetry.pipeline.config;

/**
 * Where a streamer's telemetry comes from ({@code streamer.source.type}): a DCGM exporter CSV
 * replayed ({@code csv}), or a seeded simulated fleet ({@code simulate}).
 */
public enum SourceType implements ConfigChoice {
  CSV, SIMULATE
}
