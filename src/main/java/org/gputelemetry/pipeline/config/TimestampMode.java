package org.gputelemetry.pipeline.config;

/** Which time a replayed row carries ({@code streamer.timestampMode}): when it is processed, or the CSV's own. */
public enum TimestampMode implements ConfigChoice {
  PROCESSING, SOURCE
}
