package org.gputelemetry.pipeline.store;

import java.util.Objects;
import org.gputelemetry.pipeline.model.Sample;

/**
 * A sample a store refused for its content, kept aside so that it costs only itself: the rest of
 * its batch is stored and acknowledged. Immutable.
 *
 * @param receivedMicros when the collector set it aside, microseconds since the epoch, UTC
 * @param reason what the store said (e.g. PostgreSQL's SQLSTATE and message)
 * @param sample the sample as it arrived, unchanged
 */
public record DeadLetter(long receivedMicros, String reason, Sample sample) {

  public DeadLetter {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(sample, "sample");
  }
}
