package org.gputelemetry.pipeline.store.memory;

import java.util.Collection;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds the store to {@code maxBytes}: once over, drops closed chunks oldest first across the whole
 * fleet (by each chunk's newest point) until a sixty-fourth of the bound is free again, so that
 * eviction runs in rounds rather than on every write. Open heads are never evicted. Thread-safe:
 * one writer evicts at a time, the others carry on; it holds one GPU's lock at a time, and writers
 * never wait for it while holding one, so the two cannot deadlock.
 */
final class ByteBudget {

  private record Candidate(GpuSeries gpu, int series, long end) {
  }

  private final long maxBytes;
  private final Footprint footprint;
  private final AtomicBoolean evicting = new AtomicBoolean();

  ByteBudget(long maxBytes, Footprint footprint) {
    this.maxBytes = maxBytes;
    this.footprint = footprint;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** Evicts when over the bound and no other writer is evicting already. */
  void enforce(Collection<GpuSeries> gpus) {
    if (footprint.bytes() <= maxBytes || !evicting.compareAndSet(false, true)) {
      return;
    }
    try {
      evict(gpus, maxBytes - maxBytes / 64);
    } finally {
      evicting.set(false);
    }
  }

  private void evict(Collection<GpuSeries> gpus, long target) {
    PriorityQueue<Candidate> oldest = new PriorityQueue<>((a, b) -> Long.compare(a.end(), b.end()));
    for (GpuSeries gs : gpus) {
      synchronized (gs) {
        for (MetricSeries s : gs.all()) {
          long end = gs.oldestChunkEnd(s.id);
          if (end != Long.MAX_VALUE) {
            oldest.add(new Candidate(gs, s.id, end));
          }
        }
      }
    }
    while (footprint.bytes() > target && !oldest.isEmpty()) {
      Candidate c = oldest.poll();
      synchronized (c.gpu()) {
        long end = c.gpu().oldestChunkEnd(c.series());
        if (end == Long.MAX_VALUE) {
          continue;
        }
        if (end == c.end()) {
          c.gpu().evictOldestChunk(c.series());
          end = c.gpu().oldestChunkEnd(c.series());
        }
        if (end != Long.MAX_VALUE) {
          oldest.add(new Candidate(c.gpu(), c.series(), end)); // a late merge may have moved it: queued again
        }
      }
    }
  }
}
