package org.gputelemetry.pipeline.transport;

import io.vertx.core.Future;
import org.gputelemetry.pipeline.model.SampleBatch;

/** A collector's entry point: the future completes once the batch is committed to the store. */
@FunctionalInterface
public interface BatchConsumer {

  Future<Void> accept(SampleBatch batch);
}
