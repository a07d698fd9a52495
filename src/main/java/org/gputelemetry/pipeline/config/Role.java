package org.gputelemetry.pipeline.config;

/** The roles a process can run (descriptor key {@code roles}). */
public enum Role implements ConfigChoice {
  STREAMER, COLLECTOR, GATEWAY
}
