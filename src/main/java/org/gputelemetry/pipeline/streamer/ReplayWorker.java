package org.gputelemetry.pipeline.streamer;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.ingest.MicroClock;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.jctools.queues.MessagePassingQueue;

/**
 * One streamer worker thread: replays its slice of the file's rows into the shared ring, stamping
 * them with the processing time when asked (a pass is one {@code slice.iterator()}), at most {@code rate} rows a second. When the ring is
 * full it waits (backpressure): a row is never dropped. Runs until {@link #stop} or, in one-pass
 * mode, the end of its slice.
 */
final class ReplayWorker implements Runnable {

  private static final long MIN_PARK_NANOS = 50_000;
  private static final long MAX_PARK_NANOS = 2_000_000;

  private final Iterable<Sample> slice;
  private final MessagePassingQueue<Sample> ring;
  private final boolean loop;
  private final boolean processingTime;
  private final long rate;
  private final Supplier<Assignment> assignment;
  private final MicroClock clock = new MicroClock();
  private volatile boolean stopped;
  private volatile long emitted;

  ReplayWorker(Iterable<Sample> slice, MessagePassingQueue<Sample> ring, boolean loop, boolean processingTime, long rate,
               Supplier<Assignment> assignment) {
    this.slice = slice;
    this.ring = ring;
    this.loop = loop;
    this.processingTime = processingTime;
    this.rate = rate;
    this.assignment = assignment;
  }

  void stop() {
    stopped = true;
  }

  long emitted() {
    return emitted;
  }

  @Override
  public void run() {
    long count = 0;
    long paceStart = System.nanoTime();
    long paced = 0;
    do {
      Assignment owner = assignment.get();
      long passStart = count;
      for (Sample row : slice) {
        if (stopped) {
          emitted = count;
          return;
        }
        if (!GpuPartitioner.owns(owner, row.gpu().uuid())) {
          continue;
        }
        Sample out = processingTime ? row.withTimestamp(clock.nowMicros()) : row;
        // a full ring means downstream is slower: back off exponentially, so a long stall (store
        // outage, or flat-out replay into a slower store) costs few wake-ups
        for (long park = MIN_PARK_NANOS; !ring.relaxedOffer(out); park = Math.min(park * 2, MAX_PARK_NANOS)) {
          if (stopped) {
            emitted = count;
            return;
          }
          LockSupport.parkNanos(park);
        }
        count++;
        if (rate > 0) {
          paced++;
          long due = paceStart + paced * 1_000_000_000L / rate;
          long now = System.nanoTime();
          if (now - due > 1_000_000_000L) {
            paceStart = now; // fell behind by over a second (backpressure): do not burst to catch up
            paced = 0;
          } else if (due > now) {
            LockSupport.parkNanos(due - now);
          }
        }
        if (rate > 0 || (count & 1023) == 0) {
          emitted = count; // flat out, a volatile write per row would cost more than the row
        }
      }
      emitted = count;
      if (count == passStart && loop) {
        LockSupport.parkNanos(100_000_000L); // nothing replayed (all GPUs owned elsewhere): don't spin
      }
    } while (loop && !stopped);
  }
}
