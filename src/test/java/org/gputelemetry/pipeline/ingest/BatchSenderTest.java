package org.gputelemetry.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.BusyException;
import org.jctools.queues.MpscArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The streamer's batching loop against a fake transport and a fake retry timer (no servers, no
 * waiting): a refusal as busy, in the form each transport produces it, costs the short busy delay
 * and counts as refused; any other failure is retried with exponential backoff, counted and logged
 * once; the in-flight bound holds until acknowledgements release it.
 */
class BatchSenderTest {

  private static final List<Sample> SAMPLE = DcgmSampleFile.samples();

  private final FakeTransport transport = new FakeTransport();
  private final FakeTimer timer = new FakeTimer();
  private final PipelineMetrics metrics = TestMetrics.create();
  private final MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
  private final Logger logger = (Logger) LoggerFactory.getLogger(BatchSender.class);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Thread loop;

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void stop() throws InterruptedException {
    logger.detachAppender(log);
    log.stop();
    if (loop != null) {
      loop.interrupt();
      loop.join(5_000);
    }
  }

  /** A refusal as busy in the form each transport hands it to the sender. */
  static Stream<Arguments> busyRefusals() {
    return Stream.of(
        Arguments.of("local or clustered event bus: a reply failed with 503",
            (Supplier<Throwable>) () -> new ReplyException(ReplyFailure.RECIPIENT_FAILURE, BusyException.FAILURE_CODE,
                "collector buffer full (250 samples queued)")),
        Arguments.of("redis edge: BusyException, spool full",
            (Supplier<Throwable>) () -> new BusyException("edge spool full (1048576 of 1048576 bytes)")),
        Arguments.of("either, wrapped by the caller",
            (Supplier<Throwable>) () -> new CompletionException(new BusyException("collector ring full"))));
  }

  /** Failures that are not a refusal as busy. */
  static Stream<Arguments> realFailures() {
    return Stream.of(
        Arguments.of("event bus: the consumer's store failed (500)",
            (Supplier<Throwable>) () -> new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "store down")),
        Arguments.of("event bus: no reply within sendTimeout",
            (Supplier<Throwable>) () -> new ReplyException(ReplyFailure.TIMEOUT, -1, "timed out")),
        Arguments.of("event bus: no collector consumes",
            (Supplier<Throwable>) () -> new ReplyException(ReplyFailure.NO_HANDLERS, -1, "no handlers")),
        Arguments.of("redis edge: the spool cannot be written",
            (Supplier<Throwable>) () -> new IllegalStateException("No space left on device")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("busyRefusals")
  void refusalAsBusyWaitsTheShortBusyDelayAndIsNotCountedAsARetry(String form, Supplier<Throwable> refusal)
      throws Exception {
    for (int i = 0; i < 3; i++) {
      transport.outcomes.add(() -> Future.failedFuture(refusal.get()));
    }
    BatchSender sender = start(10, 4, 10);
    for (int retry = 0; retry < 3; retry++) {
      timer.runNext();
    }

    assertEquals(List.of(BatchSender.BUSY_BACKOFF_MS, BatchSender.BUSY_BACKOFF_MS, BatchSender.BUSY_BACKOFF_MS),
        timer.delays, "each refusal waits the busy delay");
    assertTrue(BatchSender.BUSY_BACKOFF_MS < BatchSender.MIN_BACKOFF_MS, "the busy delay is the short one");
    assertEquals(4, transport.sent.size(), "three refusals, then taken");
    assertEquals(3.0, metrics.batchesRefused.count());
    assertEquals(0.0, metrics.batchesRetried.count(), "a refusal as busy is not a retry");
    assertEquals(1.0, metrics.batchesSent.count());
    assertEquals(List.of(), messagesAt(Level.WARN), "backpressure logs no warning");
    assertEquals(10, sender.ackedRows());
    assertEquals(0, sender.unackedRows());
    assertTrue(sender.idle());
    assertNull(timer.pending.poll(), "nothing more to retry");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realFailures")
  void realFailureIsRetriedWithExponentialBackoffAndWarnedOnce(String form, Supplier<Throwable> failure)
      throws Exception {
    int failures = 8;
    for (int i = 0; i < failures; i++) {
      transport.outcomes.add(() -> Future.failedFuture(failure.get()));
    }
    BatchSender sender = start(10, 4, 10);
    for (int retry = 0; retry < failures; retry++) {
      timer.runNext();
    }

    assertEquals(List.of(100L, 200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L), timer.delays,
        "doubling from " + BatchSender.MIN_BACKOFF_MS + " ms, at most " + BatchSender.MAX_BACKOFF_MS + " ms");
    assertEquals((double) failures, metrics.batchesRetried.count());
    assertEquals(0.0, metrics.batchesRefused.count());
    assertEquals(1.0, metrics.batchesSent.count());
    List<String> warnings = messagesAt(Level.WARN);
    assertEquals(1, warnings.size(), "one warning per outage, not per attempt: " + warnings);
    assertTrue(warnings.get(0).contains("retrying with backoff"), warnings.get(0));
    assertTrue(messagesAt(Level.INFO).stream().anyMatch(m -> m.contains("accepts batches again")),
        "the end of the outage is logged");
    assertEquals(SAMPLE.subList(0, 10), transport.sent.get(failures).samples(), "the same batch, kept and sent again");
    assertEquals(1, transport.sent.stream().map(SampleBatch::sequence).distinct().count(), "one batch, one sequence");
    assertEquals(10, sender.ackedRows());
    assertTrue(sender.idle());
  }

  @Test
  void acknowledgementReleasesTheInFlightBound() throws Exception {
    List<Promise<Void>> acks = new CopyOnWriteArrayList<>();
    transport.whenEmpty = () -> {
      Promise<Void> ack = Promise.promise();
      acks.add(ack);
      return ack.future();
    };
    BatchSender sender = start(10, 2, 50);

    Poll.until("two batches in flight", 5, () -> transport.sent.size() == 2);
    Thread.sleep(200);
    assertEquals(2, transport.sent.size(), "no third batch while two are unacknowledged");
    assertEquals(20, sender.unackedRows());
    assertFalse(sender.idle());
    assertTrue(loop.isAlive(), "the loop waits for room");

    acks.get(0).complete();
    Poll.until("one acknowledgement lets one more batch go", 5, () -> transport.sent.size() == 3);
    Thread.sleep(100);
    assertEquals(3, transport.sent.size());
    assertEquals(10, sender.ackedRows());

    for (int acked = 1; acked < 5; acked++) {
      int next = acked;
      Poll.until("batch " + (next + 1) + " sent", 5, () -> acks.size() > next);
      acks.get(next).complete();
    }
    loop.join(5_000);
    assertFalse(loop.isAlive(), "the loop ends once the producers are done and every row is sent");
    assertEquals(50, sender.ackedRows());
    assertEquals(0, sender.unackedRows());
    assertTrue(sender.idle());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), transport.sent.stream().map(SampleBatch::sequence).toList());
    List<Sample> rows = new ArrayList<>();
    transport.sent.forEach(b -> rows.addAll(b.samples()));
    assertEquals(SAMPLE.subList(0, 50), rows, "every row once, in ring order");
    assertEquals(5.0, metrics.batchesSent.count());
  }

  /**
   * Puts {@code rows} rows in the ring, starts the loop with {@code batchSize} and
   * {@code maxInFlight}, says the producers are done, and waits for the first send.
   */
  private BatchSender start(int batchSize, int maxInFlight, int rows) {
    BatchSender sender = new BatchSender(timer, transport, ring, metrics, "streamer-test", batchSize,
        Duration.ofMillis(20), maxInFlight);
    SAMPLE.subList(0, rows).forEach(ring::offer);
    sender.finishDraining();
    loop = new Thread(sender, "batch-sender-test");
    loop.start();
    Poll.until("the first batch sent", 5, () -> !transport.sent.isEmpty());
    return sender;
  }

  private List<String> messagesAt(Level level) {
    return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Answers each send with the next scripted outcome, then with {@link #whenEmpty}; records what was sent. */
  private static final class FakeTransport extends org.gputelemetry.pipeline.testutil.FakeTransport {

    final ConcurrentLinkedQueue<Supplier<Future<Void>>> outcomes = new ConcurrentLinkedQueue<>();
    final List<SampleBatch> sent = new CopyOnWriteArrayList<>();
    volatile Supplier<Future<Void>> whenEmpty = Future::succeededFuture;

    @Override
    public Future<Void> send(SampleBatch batch) {
      sent.add(batch);
      Supplier<Future<Void>> next = outcomes.poll();
      return (next == null ? whenEmpty : next).get();
    }
  }

  /** Records each delay asked for; the test runs the retries, so no test waits for real time. */
  private static final class FakeTimer implements BatchSender.RetryTimer {

    final List<Long> delays = new CopyOnWriteArrayList<>();
    final BlockingQueue<Runnable> pending = new LinkedBlockingQueue<>();

    @Override
    public void schedule(long delayMs, Runnable retry) {
      delays.add(delayMs);
      pending.add(retry);
    }

    /** Runs the next retry the sender scheduled, waiting (bounded) for it to be scheduled. */
    void runNext() throws InterruptedException {
      Runnable retry = pending.poll(5, TimeUnit.SECONDS);
      assertNotNull(retry, "a retry was scheduled");
      retry.run();
    }
  }
}
