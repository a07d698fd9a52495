package org.gputelemetry.pipeline.store;

/**
 * One metric's aggregate over one bucket.
 *
 * @param startMicros the bucket's start (a multiple of the step since the Unix epoch)
 * @param count how many samples the bucket holds (at least 1: empty buckets are not returned)
 */
public record Bucket(String metric, long startMicros, double value, long count) {
}
