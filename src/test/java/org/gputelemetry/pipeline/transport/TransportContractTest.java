package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.transport.impl.LocalTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every event-bus transport guarantees, run once per implementation: a batch arrives intact,
 * is acknowledged only after the consumer's future succeeds, and a failed, busy or missing
 * acknowledgement fails the send (so the sender keeps the batch and sends it again).
 *
 * <p>One sending and one consuming transport per class ({@link #open}); each test sets what the
 * consumer does next, so the class pays for starting them once.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TransportContractTest {

  /** Every test's sends time out after this long without a reply. */
  static final String SEND_TIMEOUT = "1s";
  static final List<Sample> SAMPLE = DcgmSampleFile.samples();

  private final AtomicReference<BatchConsumer> behaviour = new AtomicReference<>(batch -> Future.succeededFuture());
  private final AtomicInteger sequence = new AtomicInteger();

  /** The two ends of one transport, started; the consumer end consumes with {@code consumer}. */
  record Ends(Transport sender, Transport collector) {
  }

  /** Starts the transport under test: a sending end and a consuming end. */
  abstract Ends open(Vertx vertx, BatchConsumer consumer);

  /** Whether batches leave the JVM (then the consumer gets a decoded copy, not the sent instance). */
  abstract boolean crossesTheWire();

  private Ends ends;

  @BeforeAll
  void start(Vertx vertx) {
    ends = open(vertx, batch -> behaviour.get().accept(batch));
    // the first batch pays for connections and class loading, which no test's timing should include
    for (int attempt = 1; !await(ends.sender().send(batch()).map(true).otherwise(false)); attempt++) {
      if (attempt == 5) {
        throw new AssertionError("no batch acknowledged after " + attempt + " attempts");
      }
    }
  }

  @AfterAll
  void stop() {
    if (ends != null) {
      await(Future.join(ends.sender().close(), ends.collector().close()));
    }
  }

  @BeforeEach
  void acknowledgeByDefault() {
    behaviour.set(batch -> Future.succeededFuture());
  }

  /** A realistic batch: 500 rows of the bundled sample, a fresh sequence number. */
  SampleBatch batch() {
    return new SampleBatch("streamer-test", sequence.incrementAndGet(), 1_752_871_354_000_000L, SAMPLE.subList(0, 500));
  }

  @Test
  void batchArrivesIntactAndIsAcknowledgedOnlyAfterTheConsumerCommits(Vertx vertx, VertxTestContext ctx) {
    Promise<Void> commit = Promise.promise();
    Promise<SampleBatch> received = Promise.promise();
    behaviour.set(b -> {
      received.tryComplete(b);
      return commit.future();
    });
    SampleBatch sent = batch();
    Future<Void> send = ends.sender().send(sent);
    received.future().onComplete(ctx.succeeding(got -> vertx.setTimer(200, t -> {
      ctx.verify(() -> {
        assertFalse(send.isComplete(), "send completed before the consumer's future: " + send.cause());
        assertTrue(sent.equals(got), "the batch changed on the way");
        if (crossesTheWire()) {
          assertNotSame(sent, got);
        } else {
          assertSame(sent, got);
        }
      });
      commit.complete();
      send.onComplete(ctx.succeedingThenComplete());
    })));
  }

  @Test
  void failedConsumerFutureFailsTheSend(VertxTestContext ctx) {
    behaviour.set(b -> Future.failedFuture(new IllegalStateException("store down")));
    ends.sender().send(batch()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      ReplyException re = assertInstanceOf(ReplyException.class, e);
      assertEquals(ReplyFailure.RECIPIENT_FAILURE, re.failureType());
      assertEquals(500, re.failureCode());
      assertTrue(re.getMessage().contains("store down"), re.getMessage());
      assertFalse(LocalTransport.isBusy(e));
      ctx.completeNow();
    })));
  }

  @Test
  void busyConsumerReplyCarries503(VertxTestContext ctx) {
    behaviour.set(b -> Future.failedFuture(new BusyException("collector buffer full")));
    ends.sender().send(batch()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(BusyException.FAILURE_CODE, ((ReplyException) e).failureCode());
      assertTrue(LocalTransport.isBusy(e));
      ctx.completeNow();
    })));
  }

  @Test
  void unacknowledgedBatchFailsTheSendAfterTheSendTimeout(VertxTestContext ctx) {
    behaviour.set(b -> Promise.<Void>promise().future());
    long start = System.nanoTime();
    ends.sender().send(batch()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(ReplyFailure.TIMEOUT, ((ReplyException) e).failureType());
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900 && ms < 5_000, "timed out after " + ms + " ms, send timeout " + SEND_TIMEOUT);
      ctx.completeNow();
    })));
  }

  @Test
  void retriedBatchIsAcknowledgedOnceTheConsumerRecovers(VertxTestContext ctx) {
    AtomicInteger deliveries = new AtomicInteger();
    behaviour.set(b -> deliveries.incrementAndGet() == 1
        ? Future.failedFuture(new IllegalStateException("store down"))
        : Future.succeededFuture());
    SampleBatch b = batch();
    ends.sender().send(b)
        .recover(first -> ends.sender().send(b))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(2, deliveries.get());
          ctx.completeNow();
        })));
  }
}
