package org.gputelemetry.pipeline.store;

/** A host and how many GPUs it has in the catalogue. */
public record HostRecord(String hostname, int gpus) {
}
