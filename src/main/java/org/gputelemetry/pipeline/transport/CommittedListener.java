package org.gputelemetry.pipeline.transport;

import org.gputelemetry.pipeline.model.SampleBatch;

/** Told of each batch a store committed, with when (microseconds since the epoch); feeds the live feed. */
@FunctionalInterface
public interface CommittedListener {

  void committed(SampleBatch batch, long committedMicros);
}
