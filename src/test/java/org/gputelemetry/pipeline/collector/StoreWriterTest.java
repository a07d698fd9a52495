package org.gputelemetry.pipeline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.gputelemetry.pipeline.config.CollectorSettings;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.RejectedContentException;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.Transports;
import org.jctools.queues.MpmcArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreWriter} on its own, with fake stores and no servers: it acknowledges only after the
 * store committed, waits an outage out with backoff holding the same samples, takes no more than
 * one write's worth from the ring while it waits (so the ring fills and the collector refuses as
 * busy), and splits a batch the store refuses for its content so that only the refused samples
 * become dead letters.
 */
class StoreWriterTest {

  private static final Gpu GPU = new Gpu("GPU-1", 0, "nvidia0", "H100", "host");

  private final MpmcArrayQueue<PendingBatch> ring = new MpmcArrayQueue<>(64);
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PipelineMetrics metrics = new PipelineMetrics(registry);
  private final List<SampleBatch> published = new CopyOnWriteArrayList<>();
  private StoreWriter writer;
  private Thread thread;

  @AfterEach
  void stop() throws InterruptedException {
    if (writer != null) {
      writer.stop();
      thread.join(5_000);
      assertFalse(thread.isAlive(), "writer thread ended");
    }
  }

  private static Sample sample(String metric, long ts) {
    return new Sample(GPU, metric, ts, ts, null, null, null);
  }

  private static SampleBatch batch(int seq, int n, String metric) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(sample(metric, seq * 1_000L + i));
    }
    return new SampleBatch("test", seq, 0, samples);
  }

  /** Queues {@code batch} as the collector does; the future completes when it is acknowledged. */
  private Future<Void> offer(SampleBatch batch) {
    Promise<Void> ack = Promise.promise();
    assertTrue(ring.offer(new PendingBatch(batch, ack)));
    queued.addAndGet(batch.size());
    if (writer != null) {
      writer.wake();
    }
    return ack.future();
  }

  private void start(TelemetryStore store, int batchSize) {
    writer = new StoreWriter((b, at) -> published.add(b), store, ring, queued, metrics, batchSize,
        TimeUnit.MILLISECONDS.toNanos(5), storeDown, Future.succeededFuture());
    thread = new Thread(writer, "test-writer");
    thread.setDaemon(true);
    thread.start();
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  @Test
  void acknowledgesABatchOnlyAfterTheStoreCommittedIt() {
    FakeStore store = new FakeStore(samples -> null);
    Promise<Void> commit = Promise.promise();
    store.pending.set(commit);
    start(store, 100);
    Future<Void> ack = offer(batch(1, 10, "m"));
    Poll.until("write started", 5, () -> store.writes.size() == 1);
    sleep(100);
    assertFalse(ack.isComplete(), "acknowledged before the store committed");
    assertTrue(published.isEmpty(), "live feed told before the commit");
    commit.complete();
    Poll.until("acknowledged", 5, ack::succeeded);
    Poll.until("published", 5, () -> published.size() == 1);
    assertEquals(10, published.get(0).size());
    assertEquals(0, queued.get());
    assertEquals(10.0, counter("telemetry.samples.persisted"));
  }

  @Test
  void retriesTheSameSamplesWithGrowingBackoffWhileTheStoreIsDown() {
    AtomicLong failLeft = new AtomicLong(3);
    FakeStore store = new FakeStore(samples -> failLeft.getAndDecrement() > 0
        ? new IOException("Connection refused") : null);
    start(store, 100);
    Future<Void> ack = offer(batch(1, 10, "m"));
    Poll.until("down", 5, storeDown::get);
    assertFalse(ack.isComplete(), "acknowledged while the store fails");
    Poll.until("acknowledged", 10, ack::succeeded);
    assertFalse(storeDown.get(), "up again after the commit");
    assertEquals(4, store.writes.size());
    for (List<Sample> w : store.writes) {
      assertEquals(batch(1, 10, "m").samples(), w, "every retry holds the same samples");
    }
    // 100, 200, 400 ms between the attempts (parkNanos may wake a little early, never much)
    for (int i = 1; i < store.times.size(); i++) {
      long gap = TimeUnit.NANOSECONDS.toMillis(store.times.get(i) - store.times.get(i - 1));
      long expected = StoreWriter.backoffMillis(i - 1);
      assertTrue(gap >= expected - 10, "attempt " + i + " after " + gap + " ms, expected " + expected);
    }
    assertEquals(3.0, counter("telemetry.store.write.failures"));
    assertEquals(0.0, counter("telemetry.store.dead.letters"), "an outage sets nothing aside");
    assertEquals(List.of(100L, 200L, 400L, 800L, 10_000L), List.of(StoreWriter.backoffMillis(0),
        StoreWriter.backoffMillis(1), StoreWriter.backoffMillis(2), StoreWriter.backoffMillis(3),
        StoreWriter.backoffMillis(40)));
  }

  @Test
  void takesOneWriteWorthFromTheRingWhileTheStoreIsDownSoTheCollectorRefusesAsBusy() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    FakeStore store = new FakeStore(samples -> down.get() ? new IOException("Connection refused") : null);
    List<Future<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      acks.add(offer(batch(i, 10, "m")));
    }
    // the ring is full before the writer starts, so its first take is a whole write's worth
    // (offered one by one while it runs, a pause over its 5 ms linger would split the first write)
    start(store, 20);
    Poll.until("down", 5, storeDown::get);
    sleep(200);
    assertEquals(4, ring.size(), "the writer holds two batches (20 samples), four wait in the ring");
    assertTrue(store.writes.stream().allMatch(w -> w.size() == 20), "each attempt is one write of the same 20");
    assertTrue(acks.stream().noneMatch(Future::isComplete));

    // the collector in front of the same kind of writer refuses as busy once its buffer is full
    FakeTransport transport = new FakeTransport();
    CollectorVerticle collector = new CollectorVerticle(new CollectorSettings(1, 20, Duration.ofMillis(5), 30),
        store, transport, new PipelineMetrics(new SimpleMeterRegistry()), Future.succeededFuture());
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    Transports.registerCodec(vertx); // the collector publishes committed batches on the event bus
    try {
      vertx.deployVerticle(collector).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<Future<Void>> taken = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        taken.add(transport.consumer.accept(batch(10 + i, 10, "m")));
      }
      Future<Void> refused = transport.consumer.accept(batch(20, 10, "m"));
      assertTrue(refused.failed(), "a batch past the buffer is refused at once");
      assertInstanceOf(BusyException.class, refused.cause());
      assertTrue(taken.stream().noneMatch(Future::isComplete), "held, not acknowledged, while the store is down");
      down.set(false);
      Poll.until("held batches acknowledged once the store is back", 10, () -> taken.stream().allMatch(Future::succeeded));
      Poll.until("ring drained", 10, () -> acks.stream().allMatch(Future::succeeded));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void splitsABatchTheStoreRefusesForItsContentAndSetsAsideOnlyTheRefusedSamples() {
    FakeStore store = new FakeStore(samples -> samples.stream().anyMatch(s -> s.metric().contains("\u0000"))
        ? new RejectedContentException("PostgreSQL refused the samples (SQLSTATE 22021): invalid byte sequence")
        : null);
    start(store, 1000);
    SampleBatch first = batch(1, 40, "m");
    List<Sample> mixed = new ArrayList<>(batch(2, 24, "m").samples());
    Sample poisonA = sample("bad\u0000metric", 5);
    Sample poisonB = sample("bad\u0000metric", 17);
    mixed.set(5, poisonA);
    mixed.set(17, poisonB);
    SampleBatch second = new SampleBatch("test", 2, 0, mixed);
    Future<Void> ack1 = offer(first);
    Future<Void> ack2 = offer(second);
    Poll.until("both acknowledged", 10, () -> ack1.succeeded() && ack2.succeeded());

    List<Sample> committed = store.committed();
    assertEquals(62, committed.size(), "every good sample stored");
    assertTrue(committed.stream().noneMatch(s -> s == poisonA || s == poisonB));
    assertEquals(1, store.deadLetters.size(), "one hand-over of dead letters per write");
    List<DeadLetter> dead = store.deadLetters.get(0);
    assertEquals(List.of(poisonA, poisonB), dead.stream().map(DeadLetter::sample).toList());
    assertTrue(dead.get(0).reason().contains("22021"), dead.get(0).reason());
    assertEquals(2.0, counter("telemetry.store.dead.letters"));
    assertEquals(62.0, counter("telemetry.samples.persisted"));
    assertEquals(0.0, counter("telemetry.store.write.failures"), "a refusal is not an outage");
    assertFalse(storeDown.get());
    assertEquals(0, queued.get());
    // 64 samples, 2 refused: far fewer writes than one per sample
    assertTrue(store.writes.size() <= 4 * 7, "writes: " + store.writes.size());
    // the live feed gets what was stored
    assertEquals(List.of(40, 22), published.stream().map(SampleBatch::size).toList());
  }

  @Test
  void acknowledgesEvenWhenTheStoreKeepsNoDeadLetters() {
    FakeStore store = new FakeStore(samples -> samples.stream().anyMatch(s -> s.timestampMicros() < 0)
        ? new RejectedContentException("timestamp out of range") : null);
    store.keepsDeadLetters = false;
    start(store, 1000);
    List<Sample> samples = new ArrayList<>(batch(1, 8, "m").samples());
    samples.add(sample("m", -1));
    Future<Void> ack = offer(new SampleBatch("test", 1, 0, samples));
    Poll.until("acknowledged", 10, ack::succeeded);
    assertEquals(8, store.committed().size());
    assertEquals(1.0, counter("telemetry.store.dead.letters"));
  }

  @Test
  void anOutageWhileSplittingIsWaitedOutAndLosesNoGoodSample() {
    AtomicLong outagesLeft = new AtomicLong(2);
    FakeStore store = new FakeStore(samples -> {
      if (samples.size() < 8 && outagesLeft.getAndDecrement() > 0) {
        return new java.util.concurrent.TimeoutException("timed out");
      }
      return samples.stream().anyMatch(s -> s.metric().equals("poison")) ? new RejectedContentException("refused") : null;
    });
    start(store, 1000);
    List<Sample> samples = new ArrayList<>(batch(1, 16, "m").samples());
    Sample poison = sample("poison", 3);
    samples.set(3, poison);
    Future<Void> ack = offer(new SampleBatch("test", 1, 0, samples));
    Poll.until("acknowledged", 10, ack::succeeded);
    assertEquals(15, store.committed().size());
    assertEquals(List.of(poison), store.deadLetters.get(0).stream().map(DeadLetter::sample).toList());
    assertEquals(2.0, counter("telemetry.store.write.failures"));
  }

  @Test
  void failsTheAcknowledgementWhenStoppedWhileTheStoreIsDown() throws InterruptedException {
    FakeStore store = new FakeStore(samples -> new IOException("Connection refused"));
    start(store, 100);
    Future<Void> ack = offer(batch(1, 10, "m"));
    Poll.until("down", 5, storeDown::get);
    writer.stop();
    thread.join(5_000);
    assertTrue(ack.failed(), "a batch not committed is not acknowledged: the transport redelivers it");
    writer = null;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A store whose writes fail with what {@code failure} returns for the samples (null: commit).
   * Records each write, its time, and what it committed. Thread-safe.
   */
  private static final class FakeStore implements TelemetryStore {
    final Function<List<Sample>, Throwable> failure;
    final List<List<Sample>> writes = new CopyOnWriteArrayList<>();
    final List<Long> times = new CopyOnWriteArrayList<>();
    final List<List<Sample>> commits = new CopyOnWriteArrayList<>();
    final List<List<DeadLetter>> deadLetters = new CopyOnWriteArrayList<>();
    final AtomicReference<Promise<Void>> pending = new AtomicReference<>();
    volatile boolean keepsDeadLetters = true;

    FakeStore(Function<List<Sample>, Throwable> failure) {
      this.failure = failure;
    }

    List<Sample> committed() {
      return commits.stream().flatMap(List::stream).toList();
    }

    @Override
    public Future<Void> write(List<Sample> samples) {
      List<Sample> copy = List.copyOf(samples);
      writes.add(copy);
      times.add(System.nanoTime());
      Throwable t = failure.apply(copy);
      if (t != null) {
        return Future.failedFuture(t);
      }
      Promise<Void> p = pending.getAndSet(null);
      Future<Void> done = p == null ? Future.succeededFuture() : p.future();
      return done.onSuccess(v -> commits.add(copy));
    }

    @Override
    public Future<Void> deadLetter(List<DeadLetter> letters) {
      if (!keepsDeadLetters) {
        return TelemetryStore.super.deadLetter(letters);
      }
      deadLetters.add(List.copyOf(letters));
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> start() {
      return Future.succeededFuture();
    }

    @Override
    public Future<List<GpuRecord>> gpus(String hostname) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Optional<GpuRecord>> gpu(String uuid) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<List<HostRecord>> hosts() {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<List<String>> metrics() {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<SamplePage> samples(SampleQuery query) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<List<org.gputelemetry.pipeline.store.Bucket>> buckets(org.gputelemetry.pipeline.store.BucketQuery query) {
      throw new UnsupportedOperationException();
    }
    @Override
    public Future<List<Sample>> latest(String uuid) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<List<Sample>> latestOf(String metric, String hostname) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /** A transport that only remembers the collector's consumer, so a test can hand it batches. */
  private static final class FakeTransport extends org.gputelemetry.pipeline.testutil.FakeTransport {
    volatile BatchConsumer consumer;

    @Override
    public Future<Void> consume(BatchConsumer consumer) {
      this.consumer = consumer;
      return Future.succeededFuture();
    }
  }
}
