package org.gputelemetry.pipeline.store.chunk;

import java.util.Arrays;

/**
 * A chunk's timestamps (epoch microseconds). The deltas are divided by their greatest common
 * divisor first (whole seconds, a 10 s scrape: the unit found rather than assumed), then written
 * as one of two residuals, whichever {@link PackedInts} makes smaller: delta minus the median
 * delta (best when jitter is independent from one scrape to the next) or delta of delta
 * (Gorilla's choice, best when the interval drifts). A regular series costs one bit a point.
 * Arithmetic wraps, so any order and any gap (Long.MIN_VALUE to Long.MAX_VALUE) round-trips.
 *
 * <p>Layout: 64 bits first timestamp; when more than one point: varint divisor, zig-zag varint
 * median, 1 bit residual (0 delta minus median, 1 delta of delta), the packed residuals.
 */
final class TimestampColumn {

  private TimestampColumn() {
  }

  static void write(BitWriter w, long[] ts, int n) {
    w.write(ts[0], 64);
    if (n == 1) {
      return;
    }
    long[] q = new long[n - 1];
    long divisor = 0;
    for (int i = 1; i < n; i++) {
      q[i - 1] = ts[i] - ts[i - 1];
      divisor = gcd(divisor, q[i - 1]);
    }
    if (divisor <= 0) { // all equal, or a gap of 2^63 whose absolute value does not fit
      divisor = 1;
    }
    for (int i = 0; i < q.length; i++) {
      q[i] /= divisor;
    }
    long[] sorted = q.clone();
    Arrays.sort(sorted);
    long median = sorted[sorted.length / 2];
    long[] fromMedian = new long[q.length];
    long[] dod = new long[q.length];
    for (int i = 0; i < q.length; i++) {
      fromMedian[i] = PackedInts.zigzag(q[i] - median);
      dod[i] = PackedInts.zigzag(q[i] - (i == 0 ? median : q[i - 1]));
    }
    PackedInts.Plan a = PackedInts.plan(fromMedian, 0, q.length, false);
    PackedInts.Plan b = PackedInts.plan(dod, 0, q.length, false);
    w.writeVarint(divisor);
    w.writeVarint(PackedInts.zigzag(median));
    boolean useDod = b.bits() < a.bits();
    w.writeBit(useDod);
    PackedInts.write(w, useDod ? b : a, useDod ? dod : fromMedian, 0, q.length);
  }

  static long[] read(BitReader r, int n) {
    long[] ts = new long[n];
    ts[0] = r.read(64);
    if (n == 1) {
      return ts;
    }
    long divisor = r.readVarint();
    long median = PackedInts.unzigzag(r.readVarint());
    boolean dod = r.readBit();
    PackedInts.read(r, ts, 1, n, false);
    long prevDelta = median;
    for (int i = 1; i < n; i++) {
      long q = PackedInts.unzigzag(ts[i]) + (dod ? prevDelta : median);
      prevDelta = q;
      ts[i] = ts[i - 1] + q * divisor;
    }
    return ts;
  }

  /** gcd of |a| and |b|; negative when |b| does not fit (b = Long.MIN_VALUE), which the caller treats as 1. */
  private static long gcd(long a, long b) {
    if (a < 0) {
      return a;
    }
    b = Math.abs(b);
    if (b < 0) {
      return -1;
    }
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
