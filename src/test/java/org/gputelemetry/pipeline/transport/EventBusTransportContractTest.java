package org.gputelemetry.pipeline.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.junit.jupiter.api.Test;

/**
 * The transport contract for the request/reply transports (the event bus, local and clustered):
 * the reply is the acknowledgement, so a send completes only after the consumer's future, and a
 * failed, busy or missing reply fails the send with a {@link ReplyException}: code 500 for a
 * failure, {@link BusyException#FAILURE_CODE} for a refusal as busy, a timeout after
 * {@code sendTimeout} without a reply.
 */
abstract class EventBusTransportContractTest extends TransportContractTest {

  /** The send completed: the reply (the acknowledgement, or a refusal) reached the sender. */
  @Override
  boolean acknowledged(Future<Void> send) {
    return send.isComplete();
  }

  /** The consumer refuses the batch as busy, as a collector with a full buffer does. */
  @Override
  Throwable refusalAsBusy(Vertx vertx) {
    SampleBatch b = batch();
    consume(b, batch -> Future.failedFuture(new BusyException("collector buffer full")));
    return failureOf(ends().sender().send(b));
  }

  /** The consumer's store fails the write. */
  @Override
  Throwable failureOtherThanBusy(Vertx vertx) {
    SampleBatch b = batch();
    consume(b, batch -> Future.failedFuture(new IllegalStateException("store down")));
    return failureOf(ends().sender().send(b));
  }

  static Throwable failureOf(Future<Void> send) {
    try {
      send.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("the send succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the send did not complete in 10 s", e);
    }
  }

  @Test
  void failedConsumerFutureFailsTheSend(Vertx vertx) {
    ReplyException re = assertInstanceOf(ReplyException.class, failureOtherThanBusy(vertx));
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, re.failureType());
    assertEquals(500, re.failureCode());
    assertTrue(re.getMessage().contains("store down"), re.getMessage());
    assertFalse(BusyException.isBusy(re));
  }

  @Test
  void busyConsumerReplyCarries503(Vertx vertx) {
    ReplyException re = assertInstanceOf(ReplyException.class, refusalAsBusy(vertx));
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, re.failureType());
    assertEquals(BusyException.FAILURE_CODE, re.failureCode());
    assertTrue(re.getMessage().contains("collector buffer full"), re.getMessage());
    assertTrue(BusyException.isBusy(re));
  }

  @Test
  void unacknowledgedBatchFailsTheSendAfterTheSendTimeout(Vertx vertx) {
    SampleBatch b = batch();
    consume(b, batch -> Promise.<Void>promise().future());
    long start = System.nanoTime();
    Throwable e = failureOf(ends().sender().send(b));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(ReplyFailure.TIMEOUT, assertInstanceOf(ReplyException.class, e).failureType());
    assertTrue(ms >= 900 && ms < 5_000, "timed out after " + ms + " ms, send timeout " + SEND_TIMEOUT);
    assertFalse(BusyException.isBusy(e), "a missing reply is not a refusal as busy");
  }
}
