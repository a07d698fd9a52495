package org.gputelemetry.pipeline.store;

import org.gputelemetry.pipeline.model.Gpu;

/**
 * A GPU as the catalogue knows it: its identity plus the span of its samples.
 *
 * @param firstSeenMicros timestamp of its oldest sample ever written
 * @param lastSeenMicros timestamp of its newest sample
 */
public record GpuRecord(Gpu gpu, long firstSeenMicros, long lastSeenMicros) {
}
