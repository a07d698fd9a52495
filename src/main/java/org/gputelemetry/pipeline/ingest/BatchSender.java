package org.gputelemetry.pipeline.ingest;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.Transport;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching loop of whatever feeds the transport (the streamer, a CSV upload), on its own
 * thread: drains the ring into immutable batches of at
 * most {@code batchSize} rows (a partial batch leaves after {@code streamInterval}) and sends
 * them. At most {@code maxInFlight} batches are unacknowledged; past that the loop waits, the
 * ring fills and the workers slow down. A batch that is refused or not acknowledged is kept and
 * sent again: after {@link #BUSY_BACKOFF_MS} when the transport refused it as busy
 * ({@link BusyException#isBusy}: backpressure, counted as refused), otherwise with exponential
 * backoff from {@link #MIN_BACKOFF_MS} to {@link #MAX_BACKOFF_MS} (counted as retried, logged once
 * per outage). Nothing accepted is dropped.
 *
 * <p>The loop ({@link #run}) runs on one thread; the other methods may be called from any thread.
 */
public final class BatchSender implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);
  static final long BUSY_BACKOFF_MS = 20;
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;

  /** Runs {@code retry} after {@code delayMs}; a Vert.x timer outside tests. */
  @FunctionalInterface
  public interface RetryTimer {
    void schedule(long delayMs, Runnable retry);
  }

  private final RetryTimer timer;
  private final Transport transport;
  private final MessagePassingQueue<Sample> ring;
  private final PipelineMetrics metrics;
  private final String producerId;
  private final int batchSize;
  private final long intervalNanos;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final MicroClock clock = new MicroClock();
  private final AtomicLong unackedRows = new AtomicLong();
  private final AtomicLong ackedRows = new AtomicLong();
  private final AtomicBoolean failing = new AtomicBoolean();
  private volatile boolean draining = true;
  private volatile boolean aborted;
  private long sequence;

  /**
   * @param producerId the batches' producer id (with their sequence numbers, how a batch is told apart)
   * @param batchSize most rows in a batch
   * @param interval how long a partial batch waits for more rows
   * @param maxInFlight most batches sent and not yet acknowledged
   */
  public BatchSender(Vertx vertx, Transport transport, MessagePassingQueue<Sample> ring, PipelineMetrics metrics,
                     String producerId, int batchSize, Duration interval, int maxInFlight) {
    this((delayMs, retry) -> vertx.setTimer(delayMs, t -> retry.run()), transport, ring, metrics, producerId,
        batchSize, interval, maxInFlight);
  }

  /** With a timer of the caller's (tests). */
  public BatchSender(RetryTimer timer, Transport transport, MessagePassingQueue<Sample> ring, PipelineMetrics metrics,
                     String producerId, int batchSize, Duration interval, int maxInFlight) {
    this.timer = timer;
    this.transport = transport;
    this.ring = ring;
    this.metrics = metrics;
    this.producerId = producerId;
    this.batchSize = batchSize;
    this.intervalNanos = interval.toNanos();
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
  }

  /** Producers are done: send what is left, then end the loop. */
  public void finishDraining() {
    draining = false;
  }

  /** Stop now, sending nothing more (shutdown timeout). */
  public void abort() {
    aborted = true;
    draining = false;
  }

  /** Rows sent and not yet acknowledged. */
  public long unackedRows() {
    return unackedRows.get();
  }

  /** Rows acknowledged by the transport. */
  public long ackedRows() {
    return ackedRows.get();
  }

  @Override
  public void run() {
    List<Sample> current = new ArrayList<>(batchSize);
    long firstAt = 0;
    long firstMicros = 0;
    long parkNanos = Math.max(50_000, Math.min(1_000_000, intervalNanos / 4));
    while (!aborted) {
      boolean producersDone = !draining;
      int drained = ring.drain(current::add, batchSize - current.size());
      if (!current.isEmpty() && firstAt == 0) {
        firstAt = System.nanoTime();
        firstMicros = clock.nowMicros();
      }
      boolean full = current.size() >= batchSize;
      boolean due = !current.isEmpty() && System.nanoTime() - firstAt >= intervalNanos;
      boolean last = producersDone && ring.isEmpty() && !current.isEmpty();
      if (full || due || last) {
        metrics.rowsStreamed.increment(current.size());
        send(new SampleBatch(producerId, ++sequence, firstMicros, current));
        current = new ArrayList<>(batchSize);
        firstAt = 0;
      } else if (producersDone && ring.isEmpty() && current.isEmpty()) {
        return;
      } else if (drained == 0) {
        LockSupport.parkNanos(parkNanos);
      }
    }
  }

  private void send(SampleBatch batch) {
    while (!aborted) {
      try {
        if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          unackedRows.addAndGet(batch.size());
          attempt(batch, 0);
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void attempt(SampleBatch batch, int retries) {
    transport.send(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        if (failing.compareAndSet(true, false)) {
          LOG.info("Transport {} accepts batches again", transport.type());
        }
        unackedRows.addAndGet(-batch.size());
        ackedRows.addAndGet(batch.size());
        metrics.batchesSent.increment();
        inFlight.release();
        return;
      }
      if (aborted) {
        unackedRows.addAndGet(-batch.size());
        inFlight.release();
        return;
      }
      boolean busy = BusyException.isBusy(ar.cause());
      if (busy) {
        metrics.batchesRefused.increment();
      } else {
        metrics.batchesRetried.increment();
        if (failing.compareAndSet(false, true)) {
          LOG.warn("Transport {} did not take a batch ({}); keeping it and retrying with backoff",
              transport.type(), ar.cause().getMessage());
        }
      }
      long delay = busy ? BUSY_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(retries, 6));
      timer.schedule(delay, () -> attempt(batch, retries + 1));
    });
  }

  /** Whether every batch sent has been acknowledged. */
  public boolean idle() {
    return inFlight.availablePermits() == maxInFlight;
  }
}
