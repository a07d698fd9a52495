package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.transport.Addresses;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.gputelemetry.pipeline.transport.Transport;

/**
 * The in-process transport: batches travel on the Vert.x event bus by reference (no copy, no
 * serialisation) with request/reply, the reply being the collector's acknowledgement after commit.
 * A consumer's failure becomes a failed reply (code {@link BusyException#FAILURE_CODE} when busy,
 * which {@link BusyException#isBusy} recognises on the sending side, 500 otherwise), and a batch
 * without a reply within {@code sendTimeout} fails the send, so the sender keeps it and sends it
 * again. {@link ClusteredTransport} extends it, changing only which event bus carries the
 * batches and that they leave the JVM.
 */
public class LocalTransport implements Transport {

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private MessageConsumer<SampleBatch> consumer;

  public LocalTransport(Vertx vertx, Duration sendTimeout) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setCodecName(SampleBatchCodec.NAME)
        .setSendTimeout(sendTimeout.toMillis()).setLocalOnly(localOnly());
  }

  /** Whether messages stay in this JVM. */
  protected boolean localOnly() {
    return true;
  }

  /** The Vert.x instance whose event bus carries the batches; {@code null} until started. */
  protected Vertx bus() {
    return vertx;
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> send(SampleBatch batch) {
    Vertx bus = bus();
    if (bus == null) {
      return Future.failedFuture(type() + " transport is not started");
    }
    return bus.eventBus().request(Addresses.BATCHES, batch, delivery(delivery)).mapEmpty();
  }

  @Override
  public Future<Void> consume(BatchConsumer batchConsumer) {
    Vertx bus = bus();
    if (bus == null) {
      return Future.failedFuture(type() + " transport is not started");
    }
    consumer = localOnly()
        ? bus.eventBus().localConsumer(Addresses.BATCHES)
        : bus.eventBus().consumer(Addresses.BATCHES);
    consumer.handler(msg -> {
      received(msg.headers());
      batchConsumer.accept(msg.body()).onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(null);
        } else if (BusyException.isBusy(ar.cause())) {
          msg.fail(BusyException.FAILURE_CODE, ar.cause().getMessage());
        } else {
          msg.fail(500, String.valueOf(ar.cause().getMessage()));
        }
      });
    });
    return consumer.completion();
  }

  /** The options of one send: {@code base} here; a transport that stamps its batches adds headers. */
  protected DeliveryOptions delivery(DeliveryOptions base) {
    return base;
  }

  /** Called with each batch's headers as it arrives, before the consumer takes it. */
  protected void received(MultiMap headers) {
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public String type() {
    return "local";
  }

  @Override
  public Future<Void> close() {
    MessageConsumer<SampleBatch> c = consumer;
    consumer = null;
    return c == null ? Future.succeededFuture() : c.unregister();
  }
}
