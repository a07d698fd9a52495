package org.gputelemetry.pipeline.config;

/** How batches travel from streamers to collectors ({@code transport.type}): within one JVM, over the Hazelcast-clustered event bus, or through Redis Streams. */
public enum TransportType implements ConfigChoice {
  LOCAL, CLUSTERED, REDIS
}
