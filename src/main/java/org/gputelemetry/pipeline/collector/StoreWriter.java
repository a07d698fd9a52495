package org.gputelemetry.pipeline.collector;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.transport.CommittedListener;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collector writer thread: drains whole batches from the ring until it holds about
 * {@code batchSize} samples, writes them in one store call, and only then acknowledges each batch
 * and tells {@code onCommitted} (the live feed). A failed write is retried with backoff, holding the same
 * samples (the store is idempotent), until it succeeds or the collector stops; meanwhile the ring
 * fills and new batches are refused (backpressure). State changes are logged once.
 */
final class StoreWriter implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 10_000;

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
      if (!writeUntilCommitted(samples)) {
        taken.forEach(b -> b.ack().tryFail("collector stopped before the store committed"));
        return;
      }
      long committed = Timestamps.nowMicros();
      for (PendingBatch b : taken) {
        b.ack().tryComplete();
        metrics.lag(b.batch().createdMicros(), committed);
        onCommitted.committed(b.batch(), committed);
      }
      metrics.samplesPersisted.increment(samples.size());
      queuedSamples.addAndGet(-samples.size());
      taken.clear();
      samples = new ArrayList<>(batchSize);
    }
  }

  /** Writes until the store commits; false only if stopped while the store was failing. */
  private boolean writeUntilCommitted(List<Sample> samples) {
    int failures = 0;
    while (true) {
      long start = System.nanoTime();
      try {
        store.write(samples).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        metrics.storeWrite.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (storeDown.compareAndSet(true, false)) {
          LOG.info("Store writes succeed again; resuming");
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | TimeoutException e) {
        metrics.storeWriteFailures.increment();
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (storeDown.compareAndSet(false, true)) {
          LOG.warn("Store write failed ({}); holding {} samples and retrying with backoff", cause.getMessage(),
              samples.size());
        }
        if (stopped) {
          return false;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures++, 7))));
      }
    }
  }
}
