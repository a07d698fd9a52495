package org.gputelemetry.pipeline.testutil;

import io.vertx.core.Future;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.Transport;

/**
 * A transport for unit tests of one side of it: always started and connected; a test overrides
 * {@link #send} (a streamer's view) or {@link #consume} (a collector's view), the other side
 * refuses to be used.
 */
public abstract class FakeTransport implements Transport {

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> send(SampleBatch batch) {
    throw new UnsupportedOperationException("this fake does not send");
  }

  @Override
  public Future<Void> consume(BatchConsumer consumer) {
    throw new UnsupportedOperationException("this fake does not consume");
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public String type() {
    return "fake";
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
