package org.gputelemetry.pipeline.store.memory;

import java.util.Arrays;

/**
 * One series (GPU, metric, label set): closed compressed chunks, then an open head of up to
 * {@link #CHUNK_POINTS} points in primitive arrays, closed into a chunk when full or when a point
 * of the next 5-minute window arrives ({@link #ALIGN_MICROS}). Every point of
 * the head is newer than every closed chunk, so the newest point is the head's last or the last
 * chunk's, and {@link #newestTs} is O(1).
 *
 * <p>A point older than the newest closed chunk's end waits in a small late buffer until
 * {@link #mergeLate}, which decodes each chunk it falls in once, merges and re-encodes it: a replay
 * of many points costs one re-encoding per chunk, not one per point. Not thread-safe: the GPU's
 * lock guards it.
 */
final class MetricSeries {

  /** Most points per closed chunk. */
  static final int CHUNK_POINTS = 512;
  /**
   * A head is also closed before its first point of a new 5-minute window (epoch-aligned, as
   * buckets are), so a chunk never straddles one: buckets of 5 minutes or any multiple of them
   * cover whole chunks and are answered from summaries.
   */
  static final long ALIGN_MICROS = 300_000_000L;
  private static final int INITIAL_HEAD = 16;
  /** This object, its chunk list's reference and the headers of its six arrays. */
  private static final int FIXED_BYTES = 64 + 6 * ClosedChunks.ARRAY_HEADER;

  final int id;
  private final ClosedChunks chunks = new ClosedChunks();
  private long[] ts = new long[INITIAL_HEAD];
  private double[] values = new double[INITIAL_HEAD];
  private int[] contexts = new int[INITIAL_HEAD];
  private int size;
  private long[] lateTs = new long[0];
  private double[] lateValues = new double[0];
  private int[] lateContexts = new int[0];
  private int lateSize;

  MetricSeries(int id) {
    this.id = id;
  }

  ClosedChunks chunks() {
    return chunks;
  }

  int headSize() {
    return size;
  }

  /** The head's timestamps (the first {@link #headSize()} are live); read under the GPU's lock only. */
  long[] headTimestamps() {
    return ts;
  }

  double[] headValues() {
    return values;
  }

  int[] headContexts() {
    return contexts;
  }

  boolean isEmpty() {
    return size == 0 && chunks.size() == 0;
  }

  /** Bytes this series takes: its arrays at their capacity, its chunks, this object. */
  long bytes() {
    return FIXED_BYTES + 20L * ts.length + 20L * lateTs.length + chunks.bytes();
  }

  /**
   * Adds a point; an existing timestamp gets the new value and context. Returns the points added
   * (1 or 0), or -1 when the point went to the late buffer ({@link #mergeLate} adds it).
   */
  int put(long t, double v, int ctx) {
    int n = chunks.size();
    if (n > 0 && t <= chunks.lastTs(n - 1)) {
      defer(t, v, ctx);
      return -1;
    }
    return putInHead(t, v, ctx);
  }

  private int putInHead(long t, double v, int ctx) {
    if (size > 0 && t > ts[size - 1] && Math.floorDiv(t, ALIGN_MICROS) != Math.floorDiv(ts[0], ALIGN_MICROS)) {
      chunks.append(ts, values, contexts, size);
      size = 0;
    }
    int pos = size == 0 || t > ts[size - 1] ? size : Arrays.binarySearch(ts, 0, size, t);
    if (pos >= 0 && pos < size) {
      values[pos] = v;
      contexts[pos] = ctx;
      return 0;
    }
    int at = pos >= 0 ? pos : -pos - 1;
    if (size == ts.length) {
      int cap = Math.min(CHUNK_POINTS, ts.length * 2);
      ts = Arrays.copyOf(ts, cap);
      values = Arrays.copyOf(values, cap);
      contexts = Arrays.copyOf(contexts, cap);
    }
    System.arraycopy(ts, at, ts, at + 1, size - at);
    System.arraycopy(values, at, values, at + 1, size - at);
    System.arraycopy(contexts, at, contexts, at + 1, size - at);
    ts[at] = t;
    values[at] = v;
    contexts[at] = ctx;
    if (++size == CHUNK_POINTS) {
      chunks.append(ts, values, contexts, size);
      size = 0;
    }
    return 1;
  }

  private void defer(long t, double v, int ctx) {
    if (lateSize == lateTs.length) {
      int cap = Math.max(4, lateSize * 2);
      lateTs = Arrays.copyOf(lateTs, cap);
      lateValues = Arrays.copyOf(lateValues, cap);
      lateContexts = Arrays.copyOf(lateContexts, cap);
    }
    lateTs[lateSize] = t;
    lateValues[lateSize] = v;
    lateContexts[lateSize] = ctx;
    lateSize++;
  }

  /** Merges the late buffer into the chunks it falls in, each chunk re-encoded once; returns the points added. */
  int mergeLate() {
    if (lateSize == 0) {
      return 0;
    }
    Integer[] order = new Integer[lateSize];
    for (int i = 0; i < lateSize; i++) {
      order[i] = i;
    }
    // stable: of two writes of one timestamp the later stays last, and wins
    Arrays.sort(order, (a, b) -> Long.compare(lateTs[a], lateTs[b]));
    int added = 0;
    int hi = lateSize;
    // newest chunk first, so that splitting a chunk leaves the older chunks' indexes as they were
    while (hi > 0) {
      int target = chunks.lowerBound(lateTs[order[hi - 1]]);
      int lo = hi - 1;
      while (lo > 0 && chunks.lowerBound(lateTs[order[lo - 1]]) == target) {
        lo--;
      }
      added += target == chunks.size() ? intoHead(order, lo, hi) : intoChunk(target, order, lo, hi);
      hi = lo;
    }
    lateSize = 0;
    if (lateTs.length > 64) {
      lateTs = new long[0];
      lateValues = new double[0];
      lateContexts = new int[0];
    }
    return added;
  }

  /** Late points newer than every chunk (their chunks were evicted meanwhile). */
  private int intoHead(Integer[] order, int lo, int hi) {
    int added = 0;
    for (int k = lo; k < hi; k++) {
      int i = order[k];
      added += putInHead(lateTs[i], lateValues[i], lateContexts[i]);
    }
    return added;
  }

  private int intoChunk(int chunk, Integer[] order, int lo, int hi) {
    ClosedChunks.Decoded old = chunks.points(chunk);
    int cap = old.size() + hi - lo;
    long[] t = new long[cap];
    double[] v = new double[cap];
    int[] c = new int[cap];
    int n = 0;
    int a = 0;
    int k = lo;
    while (a < old.size() || k < hi) {
      long next = k < hi ? lateTs[order[k]] : Long.MAX_VALUE;
      if (a < old.size() && old.ts()[a] < next) {
        t[n] = old.ts()[a];
        v[n] = old.values()[a];
        c[n++] = old.contextAt(a++);
        continue;
      }
      if (a < old.size() && old.ts()[a] == next) {
        a++; // replaced by the late point
      }
      int i = order[k++];
      if (n > 0 && t[n - 1] == lateTs[i]) {
        n--; // an earlier late point of this timestamp: the later write wins
      }
      t[n] = lateTs[i];
      v[n] = lateValues[i];
      c[n++] = lateContexts[i];
    }
    chunks.replace(chunk, t, v, c, n, 2 * CHUNK_POINTS);
    return n - old.size();
  }

  /** The oldest point's timestamp, or {@link Long#MAX_VALUE} when empty. */
  long oldestTs() {
    return chunks.size() > 0 ? chunks.firstTs(0) : size > 0 ? ts[0] : Long.MAX_VALUE;
  }

  /** Drops the oldest point ({@code maxEntriesPerGPU}). */
  void dropOldestPoint() {
    if (chunks.size() > 0) {
      chunks.dropOldestPoint();
      return;
    }
    size--;
    System.arraycopy(ts, 1, ts, 0, size);
    System.arraycopy(values, 1, values, 0, size);
    System.arraycopy(contexts, 1, contexts, 0, size);
  }

  /** The newest point's timestamp, or {@link Long#MIN_VALUE} when empty. */
  long newestTs() {
    return size > 0 ? ts[size - 1] : chunks.size() > 0 ? chunks.lastTs(chunks.size() - 1) : Long.MIN_VALUE;
  }

  /** The newest point's value; only when not {@link #isEmpty()}. */
  double newestValue() {
    return size > 0 ? values[size - 1] : chunks.last(chunks.size() - 1);
  }

  /** The newest point's context; only when not {@link #isEmpty()}. */
  int newestContext() {
    return size > 0 ? contexts[size - 1] : chunks.lastContext(chunks.size() - 1);
  }
}
