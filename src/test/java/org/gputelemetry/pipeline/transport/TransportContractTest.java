package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every transport guarantees, run once per implementation (local, clustered, Redis): a batch
 * arrives intact and is acknowledged only after the consumer's future succeeds; a batch the
 * consumer failed or refused as busy is delivered again until it is taken; and a refusal as busy,
 * in whatever form the transport produces it, is recognised by {@link BusyException#isBusy} while
 * any other failure is not. Who delivers again differs (the event bus fails the send and the
 * sender sends again, as the streamer does; Redis keeps the entry and hands it to a collector
 * again): the tests send as the streamer does, so both pass the same checks.
 *
 * <p>One sending and one consuming end per class ({@link #open}); each test sets what the
 * consumer does with its own batch (others are acknowledged), so the class pays for starting them
 * once. {@link EventBusTransportContractTest} adds what only request/reply transports promise.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TransportContractTest {

  /** Every test's event-bus sends time out after this long without a reply. */
  static final String SEND_TIMEOUT = "1s";
  static final List<Sample> SAMPLE = DcgmSampleFile.samples();

  private final AtomicReference<BatchConsumer> behaviour = new AtomicReference<>(batch -> Future.succeededFuture());
  private final AtomicInteger sequence = new AtomicInteger();
  private Ends ends;

  /** The two ends of one transport, started; the consumer end consumes with {@code consumer}. */
  record Ends(Transport sender, Transport collector) {
  }

  /** Starts the transport under test: a sending end and a consuming end. */
  abstract Ends open(Vertx vertx, BatchConsumer consumer);

  /** Whether batches leave the JVM (then the consumer gets a decoded copy, not the sent instance). */
  abstract boolean crossesTheWire();

  /**
   * Whether the collector's acknowledgement of the one batch under test has reached the transport:
   * for request/reply transports, {@code send} completed; for a broker, nothing is pending.
   */
  abstract boolean acknowledged(Future<Void> send);

  /** Makes the transport refuse a send for lack of room, in its own way, and returns that send's failure. */
  abstract Throwable refusalAsBusy(Vertx vertx);

  /** Makes a send fail for a reason other than lack of room, and returns that failure. */
  abstract Throwable failureOtherThanBusy(Vertx vertx);

  @BeforeAll
  void start(Vertx vertx) {
    ends = open(vertx, batch -> behaviour.get().accept(batch));
    // the first batch pays for connections and class loading, which no test's timing should include
    AtomicInteger warmedUp = new AtomicInteger();
    behaviour.set(batch -> {
      warmedUp.incrementAndGet();
      return Future.succeededFuture();
    });
    Future<Void> send = sendAsTheStreamerDoes(batch());
    Poll.until("the first batch consumed and acknowledged", 30, () -> warmedUp.get() > 0 && acknowledged(send));
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

  /** The ends {@link #open} started. */
  Ends ends() {
    return ends;
  }

  /** What the consumer does with {@code target}; every other batch is acknowledged at once. */
  void consume(SampleBatch target, BatchConsumer consumer) {
    behaviour.set(b -> b.sequence() == target.sequence() ? consumer.accept(b) : Future.succeededFuture());
  }

  /** A realistic batch: 500 rows of the bundled sample, a fresh sequence number. */
  SampleBatch batch() {
    return new SampleBatch("streamer-test", sequence.incrementAndGet(), 1_752_871_354_000_000L, SAMPLE.subList(0, 500));
  }

  /**
   * Sends {@code batch} until the transport takes it, as the streamer does: again soon after a
   * refusal as busy, again after a pause after another failure. Completes when a send succeeded.
   */
  Future<Void> sendAsTheStreamerDoes(SampleBatch batch) {
    Promise<Void> taken = Promise.promise();
    sendAsTheStreamerDoes(batch, 1, taken);
    return taken.future();
  }

  private void sendAsTheStreamerDoes(SampleBatch batch, int attempt, Promise<Void> taken) {
    ends.sender().send(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        taken.complete();
      } else if (attempt == 20) {
        taken.fail(new AssertionError("batch " + batch.sequence() + " not taken after " + attempt + " sends", ar.cause()));
      } else {
        long pause = BusyException.isBusy(ar.cause()) ? 20 : 200;
        CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS)
            .execute(() -> sendAsTheStreamerDoes(batch, attempt + 1, taken));
      }
    });
  }

  @Test
  void batchArrivesIntactAndIsAcknowledgedOnlyAfterTheConsumerCommits(Vertx vertx) throws Exception {
    SampleBatch sent = batch();
    Promise<Void> commit = Promise.promise();
    CompletableFuture<SampleBatch> received = new CompletableFuture<>();
    consume(sent, b -> {
      received.complete(b);
      return commit.future();
    });
    Future<Void> send = ends.sender().send(sent);
    SampleBatch got = received.get(10, TimeUnit.SECONDS);
    Thread.sleep(200);

    assertFalse(acknowledged(send), "acknowledged before the consumer's future: " + send.cause());
    assertTrue(sent.equals(got), "the batch changed on the way");
    if (crossesTheWire()) {
      assertNotSame(sent, got);
    } else {
      assertSame(sent, got);
    }
    vertx.runOnContext(v -> commit.complete());
    await(send, 10);
    Poll.until("acknowledged after the commit", 10, () -> acknowledged(send));
    assertTrue(ends.sender().connected());
  }

  @Test
  void refusalAsBusyIsRecognisedAsBusy(Vertx vertx) {
    Throwable refusal = refusalAsBusy(vertx);
    assertNotNull(refusal, "the transport refused the send");
    assertTrue(BusyException.isBusy(refusal), "not recognised as busy: " + refusal);
  }

  @Test
  void failureOtherThanBusyIsNotRecognisedAsBusy(Vertx vertx) {
    Throwable failure = failureOtherThanBusy(vertx);
    assertNotNull(failure, "the send failed");
    assertFalse(BusyException.isBusy(failure), "recognised as busy: " + failure);
  }

  @Test
  void batchRefusedAsBusyIsDeliveredAgainUntilTheConsumerHasRoom() {
    SampleBatch sent = batch();
    AtomicInteger deliveries = new AtomicInteger();
    List<SampleBatch> taken = new CopyOnWriteArrayList<>();
    consume(sent, b -> {
      if (deliveries.incrementAndGet() <= 3) {
        return Future.failedFuture(new BusyException("collector buffer full"));
      }
      taken.add(b);
      return Future.succeededFuture();
    });
    Future<Void> send = sendAsTheStreamerDoes(sent);

    Poll.until("taken once there was room, then acknowledged", 10, () -> taken.size() == 1 && acknowledged(send));
    await(send, 10);
    assertEquals(4, deliveries.get(), "three refusals as busy, then taken");
    assertEquals(sent, taken.get(0));
  }

  @Test
  void batchWhoseConsumerFailedIsDeliveredAgainUntilTheConsumerRecovers() {
    SampleBatch sent = batch();
    AtomicInteger deliveries = new AtomicInteger();
    consume(sent, b -> deliveries.incrementAndGet() == 1
        ? Future.failedFuture(new IllegalStateException("store down"))
        : Future.succeededFuture());
    Future<Void> send = sendAsTheStreamerDoes(sent);

    // Redis hands a failed entry back after a pause meant for a stopping collector (5 s)
    Poll.until("delivered again and acknowledged", 20, () -> deliveries.get() >= 2 && acknowledged(send));
    await(send, 10);
    assertEquals(2, deliveries.get(), "one failure, then taken");
  }
}
