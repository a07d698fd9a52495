package org.gputelemetry.pipeline.store.memory;

import java.util.Arrays;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * One series' closed chunks, oldest first, in time order and never overlapping: each chunk's points
 * encoded by {@link ChunkCodec}, beside its summary (count, min, max, sum, first, last, first and
 * last timestamp) so that aggregates over whole chunks need no decoding. The chunks' fields are
 * parallel primitive arrays, not one object per chunk, so a day of chunks costs the collector little.
 *
 * <p>The oldest chunk may have lost its first points to {@code maxEntriesPerGPU} ({@link #dropOldestPoint}):
 * it is then kept decoded as well, and its summary no longer holds ({@link #summarized}).
 * Not thread-safe: the GPU's lock guards it.
 */
final class ClosedChunks {

  /** What one chunk slot costs beside its bytes: a reference, two longs, two ints, five doubles, a reference. */
  static final int SLOT_BYTES = 4 + 16 + 8 + 40 + 4;
  /** A byte[]'s header (compressed references). */
  static final int ARRAY_HEADER = 16;
  /** This object and the headers of its eleven arrays. */
  private static final int FIXED_BYTES = 48 + 11 * ARRAY_HEADER;

  private byte[][] data = new byte[2][];
  private long[] firstTs = new long[2];
  private long[] lastTs = new long[2];
  private int[] count = new int[2];
  private int[] context = new int[2];
  private int[][] pointContexts = new int[2][];
  private double[] min = new double[2];
  private double[] max = new double[2];
  private double[] sum = new double[2];
  private double[] first = new double[2];
  private double[] last = new double[2];
  private int begin;
  private int end;
  private long dataBytes;
  // the oldest chunk, decoded, while its first `skip` points are dropped
  private Decoded trimmed;
  private int skip;

  /** Decoded points of one chunk; {@code contexts} null when they all share {@code context}. */
  record Decoded(long[] ts, double[] values, int[] contexts, int context) {
    int size() {
      return ts.length;
    }

    int contextAt(int i) {
      return contexts == null ? context : contexts[i];
    }
  }

  int size() {
    return end - begin;
  }

  /** Bytes these chunks take: encoded points, slots, array headers, and the trimmed oldest chunk's decoded form. */
  long bytes() {
    long b = FIXED_BYTES + (long) SLOT_BYTES * data.length + dataBytes;
    if (trimmed != null) {
      b += 2 * ARRAY_HEADER + 16L * trimmed.size() + (trimmed.contexts == null ? 0 : 4L * trimmed.size());
    }
    return b;
  }

  long firstTs(int i) {
    return i == 0 && skip > 0 ? trimmed.ts[skip] : firstTs[begin + i];
  }

  long lastTs(int i) {
    return lastTs[begin + i];
  }

  /** Live points of chunk {@code i}. */
  int count(int i) {
    return count[begin + i] - (i == 0 ? skip : 0);
  }

  /** Whether chunk {@code i}'s summary covers exactly its live points. */
  boolean summarized(int i) {
    return i != 0 || skip == 0;
  }

  double min(int i) {
    return min[begin + i];
  }

  double max(int i) {
    return max[begin + i];
  }

  double sum(int i) {
    return sum[begin + i];
  }

  double first(int i) {
    return first[begin + i];
  }

  double last(int i) {
    return last[begin + i];
  }

  /** The context of chunk {@code i}'s newest point. */
  int lastContext(int i) {
    int[] pc = pointContexts[begin + i];
    return pc == null ? context[begin + i] : pc[pc.length - 1];
  }

  /** Chunk {@code i}'s live points, decoded. */
  Decoded points(int i) {
    if (i == 0 && skip > 0) {
      int n = trimmed.size();
      return new Decoded(Arrays.copyOfRange(trimmed.ts, skip, n), Arrays.copyOfRange(trimmed.values, skip, n),
          trimmed.contexts == null ? null : Arrays.copyOfRange(trimmed.contexts, skip, n), trimmed.context);
    }
    return decode(begin + i);
  }

  private Decoded decode(int slot) {
    ChunkCodec.Points p = ChunkCodec.decode(data[slot]);
    return new Decoded(p.ts(), p.values(), pointContexts[slot], context[slot]);
  }

  /** The first chunk whose last timestamp is at least {@code ts}; {@link #size()} when none. */
  int lowerBound(long ts) {
    int lo = begin;
    int hi = end;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (lastTs[mid] < ts) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - begin;
  }

  /** Closes {@code n} points (ascending, after every chunk) into a new newest chunk. */
  void append(long[] ts, double[] values, int[] contexts, int n) {
    if (end == data.length) {
      makeRoom();
    }
    write(end++, ts, values, contexts, 0, n);
  }

  /**
   * Replaces chunk {@code i} by {@code n} points (ascending, within the gap its neighbours leave),
   * split into pieces of at most {@code maxPoints} so a long replay into one gap stays cheap to merge.
   */
  void replace(int i, long[] ts, double[] values, int[] contexts, int n, int maxPoints) {
    if (i == 0) {
      trimmed = null;
      skip = 0;
    }
    dataBytes -= slotBytes(begin + i);
    int pieces = (n + maxPoints - 1) / maxPoints;
    for (int p = 1; p < pieces; p++) {
      insertSlot(begin + i + 1);
    }
    int slot = begin + i;
    int piece = (n + pieces - 1) / pieces; // even pieces: no one-point chunk after a split
    for (int p = 0; p < pieces; p++) {
      int from = p * piece;
      write(slot + p, ts, values, contexts, from, Math.min(n, from + piece));
    }
  }

  /** Drops the oldest chunk; returns its live points. */
  int dropOldest() {
    int dropped = count(0);
    dataBytes -= slotBytes(begin);
    data[begin] = null;
    pointContexts[begin] = null;
    trimmed = null;
    skip = 0;
    begin++;
    if (begin == end) {
      begin = 0;
      end = 0;
    }
    return dropped;
  }

  /** Drops the oldest point of the oldest chunk (the chunk too once it has none left). */
  void dropOldestPoint() {
    if (skip == 0) {
      trimmed = decode(begin);
    }
    skip++;
    if (skip == trimmed.size()) {
      dropOldest();
    }
  }

  private void write(int slot, long[] ts, double[] values, int[] contexts, int from, int to) {
    int n = to - from;
    long[] t = from == 0 ? ts : Arrays.copyOfRange(ts, from, to);
    double[] v = from == 0 ? values : Arrays.copyOfRange(values, from, to);
    byte[] bytes = ChunkCodec.encode(t, v, n);
    data[slot] = bytes;
    dataBytes += encodedBytes(bytes);
    firstTs[slot] = ts[from];
    lastTs[slot] = ts[to - 1];
    count[slot] = n;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    double total = 0;
    boolean uniform = true;
    for (int k = from; k < to; k++) {
      double x = values[k];
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      total += x;
      uniform &= contexts[k] == contexts[from];
    }
    min[slot] = lo;
    max[slot] = hi;
    sum[slot] = total;
    first[slot] = values[from];
    last[slot] = values[to - 1];
    context[slot] = contexts[from];
    pointContexts[slot] = uniform ? null : Arrays.copyOfRange(contexts, from, to);
    if (!uniform) {
      dataBytes += ARRAY_HEADER + 4L * n;
    }
  }

  private long encodedBytes(byte[] bytes) {
    return align(ARRAY_HEADER + bytes.length);
  }

  /** What slot {@code slot}'s own arrays take: its encoded points and, when mixed, its contexts. */
  private long slotBytes(int slot) {
    int[] pc = pointContexts[slot];
    return encodedBytes(data[slot]) + (pc == null ? 0 : ARRAY_HEADER + 4L * pc.length);
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  /**
   * Room for one more chunk at the end: the live chunks slid to the front of arrays half again as
   * long as they need, so that after eviction has emptied the front the slots shrink with them.
   */
  private void makeRoom() {
    int n = end - begin;
    int cap = n + Math.max(2, n / 2);
    data = Arrays.copyOfRange(data, begin, begin + cap);
    firstTs = Arrays.copyOfRange(firstTs, begin, begin + cap);
    lastTs = Arrays.copyOfRange(lastTs, begin, begin + cap);
    count = Arrays.copyOfRange(count, begin, begin + cap);
    context = Arrays.copyOfRange(context, begin, begin + cap);
    pointContexts = Arrays.copyOfRange(pointContexts, begin, begin + cap);
    min = Arrays.copyOfRange(min, begin, begin + cap);
    max = Arrays.copyOfRange(max, begin, begin + cap);
    sum = Arrays.copyOfRange(sum, begin, begin + cap);
    first = Arrays.copyOfRange(first, begin, begin + cap);
    last = Arrays.copyOfRange(last, begin, begin + cap);
    begin = 0;
    end = n;
  }

  /** Opens an empty slot at {@code slot}, moving the newer chunks up by one. */
  private void insertSlot(int at) {
    int slot = at;
    if (end == data.length) {
      int offset = begin;
      makeRoom();
      slot -= offset;
    }
    int move = end - slot;
    System.arraycopy(data, slot, data, slot + 1, move);
    System.arraycopy(firstTs, slot, firstTs, slot + 1, move);
    System.arraycopy(lastTs, slot, lastTs, slot + 1, move);
    System.arraycopy(count, slot, count, slot + 1, move);
    System.arraycopy(context, slot, context, slot + 1, move);
    System.arraycopy(pointContexts, slot, pointContexts, slot + 1, move);
    System.arraycopy(min, slot, min, slot + 1, move);
    System.arraycopy(max, slot, max, slot + 1, move);
    System.arraycopy(sum, slot, sum, slot + 1, move);
    System.arraycopy(first, slot, first, slot + 1, move);
    System.arraycopy(last, slot, last, slot + 1, move);
    end++;
  }
}
