package org.gputelemetry.pipeline.transport;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.gputelemetry.pipeline.model.SampleBatch;

/**
 * The in-process side of the live feed: committed batches are published on the local event bus at
 * {@link Addresses#COMMITTED} (by reference, with the commit time in a header), where the
 * gateway's live feed listens. Batches committed in other processes arrive through
 * {@link Transport#receiveCommitted} and are published here the same way. Thread-safe.
 */
public final class CommittedBatches {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(SampleBatchCodec.NAME);

  private CommittedBatches() {
  }

  public static void publishLocally(EventBus bus, SampleBatch batch, long committedMicros) {
    bus.publish(Addresses.COMMITTED, batch,
        new DeliveryOptions(LOCAL).addHeader(Addresses.COMMITTED_MICROS_HEADER, Long.toString(committedMicros)));
  }
}
