package org.gputelemetry.pipeline.store.chunk;

import java.util.Arrays;

/**
 * A chunk's timestamps (epoch microseconds). The deltas are divided by their greatest common
 * divisor first (whole seconds, a 10 s scrape: the unit found rather than assumed), then written
 * as one of three residuals, whichever {@link PackedInts} makes smaller: the offset from the grid
 * {@code first + i * step}, less its minimum (best when a timer fires on a fixed grid
 * with independent jitter), delta minus the median delta (when each interval is measured from
 * the last), or delta of delta (Gorilla's choice, when the interval drifts). A regular series
 * costs no bit a point. Arithmetic wraps, so any order and any gap (Long.MIN_VALUE to
 * Long.MAX_VALUE) round-trips.
 *
 * <p>Header: 64 bits first timestamp; when more than one point: varint divisor, zig-zag varint
 * base (the median delta; for delta of delta the first delta; for the grid its step), 2 bits
 * residual (0 delta minus median, 1 delta of delta, 2 grid offset, then its minimum as a zig-zag
 * varint), the residuals' plan. Data: the n - 1 packed residuals.
 */
final class TimestampColumn {

  /** How a column is written; {@code residuals} only on the encoding side; plan and residuals null for one point. */
  record Header(long first, long divisor, long base, int residual, long gridMin, PackedInts.Plan plan,
                long[] residuals) {

    /** The fewest bits a timestamp after the first costs. */
    int minBits() {
      return plan == null ? 0 : PackedInts.minBits(plan);
    }
  }

  static final int FROM_MEDIAN = 0;
  static final int DOD = 1;
  static final int GRID = 2;

  private TimestampColumn() {
  }

  static Header plan(long[] ts, int n) {
    if (n == 1) {
      return new Header(ts[0], 1, 0, FROM_MEDIAN, 0, null, null);
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
    long[] u = new long[n]; // (ts[i] - ts[0]) / divisor
    for (int i = 0; i < q.length; i++) {
      fromMedian[i] = PackedInts.zigzag(q[i] - median);
      dod[i] = PackedInts.zigzag(q[i] - (i == 0 ? q[0] : q[i - 1]));
      u[i + 1] = u[i] + q[i];
    }
    Header best = candidate(ts[0], divisor, median, FROM_MEDIAN, 0, fromMedian);
    Header byDod = candidate(ts[0], divisor, q[0], DOD, 0, dod);
    if (byDod.plan().bits() < best.plan().bits()) {
      best = byDod;
    }
    long slope = gridSlope(u);
    long[] grid = new long[q.length];
    long gridMin = Long.MAX_VALUE;
    for (int i = 0; i < q.length; i++) {
      grid[i] = u[i + 1] - (i + 1) * slope;
      gridMin = Math.min(gridMin, grid[i]);
    }
    for (int i = 0; i < q.length; i++) {
      grid[i] -= gridMin;
    }
    Header byGrid = candidate(ts[0], divisor, slope, GRID, gridMin, grid);
    // the grid's minimum costs a varint more in the header
    return byGrid.plan().bits() + 8L * varintBytes(PackedInts.zigzag(gridMin)) < best.plan().bits() ? byGrid : best;
  }

  /**
   * The grid's step: the median over pairs half the chunk apart of their distance divided by
   * theirs. The median of single deltas is off by tens of microseconds under jitter, which over
   * an hour walks the grid away from the points; pairs far apart pin the step to the microsecond,
   * and the median ignores stalls.
   */
  private static long gridSlope(long[] u) {
    int span = Math.max(1, (u.length - 1) / 2);
    long[] slopes = new long[u.length - span];
    for (int i = 0; i < slopes.length; i++) {
      slopes[i] = Math.round((double) (u[i + span] - u[i]) / span);
    }
    Arrays.sort(slopes);
    return slopes[slopes.length / 2];
  }

  private static Header candidate(long first, long divisor, long base, int residual, long gridMin, long[] run) {
    return new Header(first, divisor, base, residual, gridMin, PackedInts.plan(run, 0, run.length, true), run);
  }

  private static int varintBytes(long v) {
    return Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
  }

  static void writeHeader(BitWriter w, Header h) {
    w.write(h.first(), 64);
    if (h.plan() != null) {
      w.writeVarint(h.divisor());
      w.writeVarint(PackedInts.zigzag(h.base()));
      w.write(h.residual(), 2);
      if (h.residual() == GRID) {
        w.writeVarint(PackedInts.zigzag(h.gridMin()));
      }
      PackedInts.writePlan(w, h.plan());
    }
  }

  static void writeData(BitWriter w, Header h) {
    if (h.plan() != null) {
      PackedInts.writeValues(w, h.plan(), h.residuals(), 0, h.residuals().length);
    }
  }

  static Header readHeader(BitReader r, int n) {
    long first = r.read(64);
    if (n == 1) {
      return new Header(first, 1, 0, FROM_MEDIAN, 0, null, null);
    }
    long divisor = r.readVarint();
    long base = PackedInts.unzigzag(r.readVarint());
    int residual = (int) r.read(2);
    if (residual > GRID) {
      throw Corrupt.of("timestamp residual " + residual);
    }
    long gridMin = residual == GRID ? PackedInts.unzigzag(r.readVarint()) : 0;
    return new Header(first, divisor, base, residual, gridMin, PackedInts.readPlan(r), null);
  }

  static long[] readData(BitReader r, Header h, int n) {
    long[] ts = new long[n];
    ts[0] = h.first();
    if (n == 1) {
      return ts;
    }
    PackedInts.readValues(r, h.plan(), ts, 1, n);
    long divisor = h.divisor();
    long base = h.base();
    switch (h.residual()) {
      case GRID -> {
        long offset = h.gridMin();
        for (int i = 1; i < n; i++) {
          ts[i] = h.first() + (ts[i] + offset + i * base) * divisor;
        }
      }
      case DOD -> {
        long delta = base;
        for (int i = 1; i < n; i++) {
          delta += PackedInts.unzigzag(ts[i]);
          ts[i] = ts[i - 1] + delta * divisor;
        }
      }
      default -> {
        for (int i = 1; i < n; i++) {
          ts[i] = ts[i - 1] + (PackedInts.unzigzag(ts[i]) + base) * divisor;
        }
      }
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
