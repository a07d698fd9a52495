package org.gputelemetry.pipeline.model;

import java.util.List;

/**
 * The unit a transport moves and a collector acknowledges: samples from one producer.
 * Immutable (the list is unmodifiable), which is what lets the local transport hand the same
 * instance to the consumer without copying.
 *
 * @param producerId who produced it (streamer instance id), for logs and metrics
 * @param sequence the producer's batch counter, increasing; retries reuse the number
 * @param createdMicros when the batch was sealed, for end-to-end lag
 */
public record SampleBatch(String producerId, long sequence, long createdMicros, List<Sample> samples) {

  public SampleBatch {
    samples = List.copyOf(samples);
  }

  public int size() {
    return samples.size();
  }
}
