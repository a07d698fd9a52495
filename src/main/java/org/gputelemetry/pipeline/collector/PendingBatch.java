package org.gputelemetry.pipeline.collector;

import io.vertx.core.Promise;
import org.gputelemetry.pipeline.model.SampleBatch;

/** A batch taken from the transport and waiting for commit; {@code ack} completes after it. */
record PendingBatch(SampleBatch batch, Promise<Void> ack) {
}
