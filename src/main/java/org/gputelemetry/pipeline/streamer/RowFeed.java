package org.gputelemetry.pipeline.streamer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.LockSupport;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a CSV to the workers without holding it: one reader thread parses the file and hands each
 * row to the worker that owns its GPU ({@link GpuPartitioner#worker}) through a bounded
 * single-producer queue per worker. Memory is {@link #QUEUE_ROWS} rows per worker whatever the
 * file's size; one reader and FIFO queues keep each GPU's rows in file order. When a worker's
 * queue is full the reader waits (backpressure), so a slow worker slows the others.
 *
 * <p>Each pass over the file ends with a marker in every queue: a worker's {@link #slice} yields,
 * per {@code iterator()} call, the rows of one pass. In loop mode the reader re-reads the file for
 * the next pass; rejects are counted on the first pass only, so a looped bad row counts once.
 * Thread-safe as used: one reader thread, one consumer per slice.
 */
final class RowFeed implements Runnable {

  /** Rows buffered per worker. */
  static final int QUEUE_ROWS = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(RowFeed.class);
  private static final Sample END_OF_PASS = new Sample(new Gpu("", -1, null, null, null), "", 0, 0, null, null, null);
  private static final long MIN_PARK_NANOS = 50_000;
  private static final long MAX_PARK_NANOS = 2_000_000;
  private static final long REOPEN_PAUSE_NANOS = 1_000_000_000L;

  private final RowSource source;
  private final boolean loop;
  private final RejectCounter rejects;
  private final List<SpscArrayQueue<Sample>> queues = new ArrayList<>();
  private volatile boolean stopped;

  RowFeed(RowSource source, int workers, boolean loop, RejectCounter rejects) {
    this.source = source;
    this.loop = loop;
    this.rejects = rejects;
    for (int i = 0; i < workers; i++) {
      queues.add(new SpscArrayQueue<>(QUEUE_ROWS));
    }
  }

  /** Rows of worker {@code worker}'s GPUs, one pass per {@code iterator()}; for that worker's thread only. */
  Iterable<Sample> slice(int worker) {
    SpscArrayQueue<Sample> queue = queues.get(worker);
    return () -> new PassIterator(queue);
  }

  /** Ends the reading and every slice's current pass; rows still queued are dropped. */
  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    RejectCounter counted = rejects;
    do {
      try (DcgmCsvReader reader = source.open(counted)) {
        for (Sample s = reader.next(); s != null && !stopped; s = reader.next()) {
          put(queues.get(GpuPartitioner.worker(s.gpu().uuid(), queues.size())), s);
        }
      } catch (IOException | RuntimeException e) {
        LOG.error("Streamer could not read {}; pass ended early", source.describe(), e);
        if (loop) {
          LockSupport.parkNanos(REOPEN_PAUSE_NANOS);
        }
      }
      for (SpscArrayQueue<Sample> queue : queues) {
        put(queue, END_OF_PASS);
      }
      counted = new RejectCounter(); // later passes meet the same bad rows: count them once
    } while (loop && !stopped);
  }

  private void put(SpscArrayQueue<Sample> queue, Sample sample) {
    for (long park = MIN_PARK_NANOS; !queue.offer(sample); park = Math.min(park * 2, MAX_PARK_NANOS)) {
      if (stopped) {
        return;
      }
      LockSupport.parkNanos(park);
    }
  }

  /** The rows of one pass: until the next end-of-pass marker, or until the feed stops. */
  private final class PassIterator implements Iterator<Sample> {
    private final SpscArrayQueue<Sample> queue;
    private Sample next;
    private boolean ended;

    PassIterator(SpscArrayQueue<Sample> queue) {
      this.queue = queue;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (ended) {
        return false;
      }
      Sample polled = queue.poll();
      for (long park = MIN_PARK_NANOS; polled == null; park = Math.min(park * 2, MAX_PARK_NANOS)) {
        if (stopped) {
          ended = true;
          return false;
        }
        LockSupport.parkNanos(park);
        polled = queue.poll();
      }
      if (polled == END_OF_PASS) {
        ended = true;
        return false;
      }
      next = polled;
      return true;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Sample out = next;
      next = null;
      return out;
    }
  }
}
