package org.gputelemetry.pipeline.collector;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.DeadLettersNotKeptException;
import org.gputelemetry.pipeline.store.StoreFailure;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.transport.CommittedListener;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collector writer thread: drains whole batches from the ring until it holds about
 * {@code batchSize} samples, writes them in one store call, and only then acknowledges each batch
 * and tells {@code onCommitted} (the live feed).
 *
 * <p>Two kinds of failure ({@link StoreFailure}). An <b>outage</b> is retried with backoff,
 * holding the same samples (the store is idempotent), until the write succeeds or the collector
 * stops; meanwhile the ring fills and new batches are refused (backpressure). A refusal of the
 * <b>content</b> is not waited out: the samples are split in halves, and halves again, until each
 * refused sample stands alone; those go to the store's dead letters (counted, readable at
 * {@code GET /api/v1/dead-letters}), every other sample is stored, and the batches are
 * acknowledged. One poison sample in a write of n costs about 2·log2(n) extra writes. State
 * changes are logged once.
 */
final class StoreWriter implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 10_000;
  private static final long WRITE_TIMEOUT_S = 60;

  private final CommittedListener onCommitted;
  private final TelemetryStore store;
  private final MessagePassingQueue<PendingBatch> ring;
  private final AtomicLong queuedSamples;
  private final PipelineMetrics metrics;
  private final int batchSize;
  private final long pollNanos;
  private final AtomicBoolean storeDown;
  private final Future<Void> storeStarted;
  private volatile boolean stopped;
  private volatile Thread thread;

  /** What a store call came to: committed, refused (with the store's reason), or given up because the collector stops. */
  private record Outcome(boolean committed, String refusal) {
    static final Outcome COMMITTED = new Outcome(true, null);
    static final Outcome STOPPED = new Outcome(false, null);

    boolean refused() {
      return refusal != null;
    }
  }

  StoreWriter(CommittedListener onCommitted, TelemetryStore store, MessagePassingQueue<PendingBatch> ring, AtomicLong queuedSamples,
              PipelineMetrics metrics, int batchSize, long pollNanos, AtomicBoolean storeDown, Future<Void> storeStarted) {
    this.onCommitted = onCommitted;
    this.store = store;
    this.ring = ring;
    this.queuedSamples = queuedSamples;
    this.metrics = metrics;
    this.batchSize = batchSize;
    this.pollNanos = pollNanos;
    this.storeDown = storeDown;
    this.storeStarted = storeStarted;
  }

  void stop() {
    stopped = true;
    wake();
  }

  void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    // write nothing before the store is ready (PostgreSQL may still be migrating, or be down):
    // batches wait in the ring, then the ring's bound makes the collector refuse new ones
    while (!storeStarted.isComplete() && !stopped) {
      LockSupport.parkNanos(pollNanos);
    }
    List<PendingBatch> taken = new ArrayList<>();
    List<Sample> samples = new ArrayList<>(batchSize);
    while (true) {
      PendingBatch p;
      while (samples.size() < batchSize && (p = ring.relaxedPoll()) != null) {
        taken.add(p);
        samples.addAll(p.batch().samples());
      }
      if (taken.isEmpty()) {
        if (stopped) {
          return;
        }
        LockSupport.parkNanos(pollNanos);
        continue;
      }
      List<DeadLetter> dead = new ArrayList<>();
      if (!storeSettingAsideRefused(samples, dead) || !keep(dead)) {
        taken.forEach(b -> b.ack().tryFail("collector stopped before the store committed"));
        return;
      }
      long committed = Timestamps.nowMicros();
      Set<Sample> refused = refusedSamples(dead);
      for (PendingBatch b : taken) {
        b.ack().tryComplete();
        metrics.lag(b.batch().createdMicros(), committed);
        SampleBatch stored = refused.isEmpty() ? b.batch() : without(b.batch(), refused);
        if (stored.size() > 0) {
          publish(stored, committed);
        }
      }
      metrics.samplesPersisted.increment(samples.size() - dead.size());
      queuedSamples.addAndGet(-samples.size());
      taken.clear();
      samples = new ArrayList<>(batchSize);
    }
  }

  /**
   * Stores {@code samples}, splitting any part the store refuses for its content until each
   * refused sample stands alone; those are added to {@code dead}. Parts are written in order, so
   * where two samples share a key the later one still wins. False only if stopped during an outage.
   */
  private boolean storeSettingAsideRefused(List<Sample> samples, List<DeadLetter> dead) {
    Deque<List<Sample>> parts = new ArrayDeque<>();
    parts.push(samples);
    while (!parts.isEmpty()) {
      List<Sample> part = parts.pop();
      Outcome o = untilAnswered(() -> store.write(part), StoreFailure::isContent, part.size(), true);
      if (o == Outcome.STOPPED) {
        return false;
      }
      if (o.committed()) {
        continue;
      }
      if (part.size() == 1) {
        dead.add(new DeadLetter(Timestamps.nowMicros(), o.refusal(), part.get(0)));
        continue;
      }
      int half = part.size() / 2;
      parts.push(part.subList(half, part.size()));
      parts.push(part.subList(0, half));
    }
    return true;
  }

  /**
   * Hands dead letters to the store, waiting out an outage as for samples. A store that keeps none
   * (or refuses them too) loses them, loudly: the samples cannot be stored either way, and holding
   * them would stop ingest. False only if stopped during an outage.
   */
  private boolean keep(List<DeadLetter> dead) {
    if (dead.isEmpty()) {
      return true;
    }
    metrics.storeDeadLetters.increment(dead.size());
    LOG.warn("Store refused {} sample(s) for their content; set aside as dead letters, the rest stored "
        + "(first: {}; GET /api/v1/dead-letters lists them)", dead.size(), dead.get(0).reason());
    Outcome o = untilAnswered(() -> store.deadLetter(dead),
        e -> StoreFailure.isContent(e) || e instanceof DeadLettersNotKeptException, dead.size(), false);
    if (o.refused()) {
      LOG.error("Dead letters not kept ({}); lost: {}", o.refusal(),
          dead.stream().map(d -> d.sample().toString().replace("\u0000", "\\u0000")).toList());
    }
    return o != Outcome.STOPPED;
  }

  /**
   * Calls {@code operation} until the store commits or refuses ({@code refusal} says which failures
   * are refusals); any other failure is an outage, retried with exponential backoff.
   */
  private Outcome untilAnswered(Supplier<Future<Void>> operation, Predicate<Throwable> refusal, int samples,
                                boolean timed) {
    int failures = 0;
    while (true) {
      long start = System.nanoTime();
      try {
        operation.get().toCompletionStage().toCompletableFuture().get(WRITE_TIMEOUT_S, TimeUnit.SECONDS);
        if (timed) {
          metrics.storeWrite.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        answered();
        return Outcome.COMMITTED;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.STOPPED;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (refusal.test(cause)) {
          answered();
          return new Outcome(false, StoreFailure.reason(cause));
        }
        metrics.storeWriteFailures.increment();
        if (storeDown.compareAndSet(false, true)) {
          LOG.warn("Store write failed ({}); holding {} samples and retrying with backoff", cause.getMessage(), samples);
        }
        if (stopped) {
          return Outcome.STOPPED;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis(failures++)));
      }
    }
  }

  /** Tells the live feed; a failure there must not end this thread (nothing would be written any more). */
  private void publish(SampleBatch batch, long committedMicros) {
    try {
      onCommitted.committed(batch, committedMicros);
    } catch (RuntimeException e) {
      LOG.warn("Live feed not told of a committed batch: {}", e.toString());
    }
  }

  /** The store answered (committed or refused): it is not down. */
  private void answered() {
    if (storeDown.compareAndSet(true, false)) {
      LOG.info("Store writes succeed again; resuming");
    }
  }

  /** The wait after the {@code failures}-th consecutive failure (0-based): 100 ms doubling to 10 s. */
  static long backoffMillis(int failures) {
    return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures, 7));
  }

  private static Set<Sample> refusedSamples(List<DeadLetter> dead) {
    if (dead.isEmpty()) {
      return Set.of();
    }
    Set<Sample> set = Collections.newSetFromMap(new IdentityHashMap<>());
    dead.forEach(d -> set.add(d.sample()));
    return set;
  }

  /** {@code batch} without the refused samples: the live feed shows what was stored. */
  private static SampleBatch without(SampleBatch batch, Set<Sample> refused) {
    List<Sample> kept = new ArrayList<>(batch.size());
    for (Sample s : batch.samples()) {
      if (!refused.contains(s)) {
        kept.add(s);
      }
    }
    return kept.size() == batch.size() ? batch
        : new SampleBatch(batch.producerId(), batch.sequence(), batch.createdMicros(), kept);
  }
}
