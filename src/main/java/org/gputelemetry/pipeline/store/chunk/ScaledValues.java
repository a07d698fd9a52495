package org.gputelemetry.pipeline.store.chunk;

/**
 * Values that are all decimals with at most 6 digits after the point (utilisation, temperature,
 * clocks, MiB, power in W with 3 decimals: what DCGM reports) as integers m with value =
 * m / 10^d, d chosen per chunk as the fewest digits that reproduce every value bit for bit. The
 * integers are written as offsets from their minimum, deltas or deltas of deltas (zig-zag), the
 * cheapest under {@link PackedInts}. A value that no d reproduces (NaN, infinities, -0.0,
 * 0.1 + 0.2, |m| over 2^53) leaves the chunk to {@link XorValues}.
 *
 * <p>Header: 3 bits d, 2 bits transform (0 offset, 1 delta, 2 delta of delta), zig-zag varint
 * base (the minimum, or the first integer), the run's plan. Data: the packed run (n values for
 * offsets, n - 1 otherwise).
 */
final class ScaledValues {

  static final int MAX_DIGITS = 6;
  private static final double[] POW10 = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  private static final double MAX_EXACT = 9007199254740992.0; // 2^53: every integer up to it is a double

  private static final int OFFSET = 0;
  private static final int DELTA = 1;
  private static final int DOD = 2;

  /** A chosen encoding: digits, transform, base, the run (encoding side only) and its plan; {@code bits} is the total cost. */
  record Plan(int digits, int transform, long base, long[] run, PackedInts.Plan packed, long bits) {

    /** The fewest bits a value costs. */
    int minBits() {
      return PackedInts.minBits(packed);
    }
  }

  private ScaledValues() {
  }

  /**
   * The cheapest scaled encoding of {@code values[0..n)}, or null when some value is not a short
   * decimal; with {@code allowZeroCost} false, at least one bit a value.
   */
  static Plan plan(double[] values, int n, boolean allowZeroCost) {
    int d = 0;
    for (int i = 0; i < n; i++) {
      while (!exact(values[i], d)) {
        if (++d > MAX_DIGITS) {
          return null;
        }
      }
    }
    long[] m = new long[n];
    long min = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      if (!exact(values[i], d)) { // an earlier value exact at fewer digits need not be at more, near 2^53
        return null;
      }
      m[i] = Math.round(values[i] * POW10[d]);
      min = Math.min(min, m[i]);
    }
    long[] offset = new long[n];
    long[] delta = new long[n - 1];
    long[] dod = new long[n - 1];
    for (int i = 0; i < n; i++) {
      offset[i] = m[i] - min;
      if (i > 0) {
        delta[i - 1] = PackedInts.zigzag(m[i] - m[i - 1]);
        dod[i - 1] = PackedInts.zigzag(m[i] - m[i - 1] - (i > 1 ? m[i - 1] - m[i - 2] : 0));
      }
    }
    Plan best = candidate(d, OFFSET, min, offset, allowZeroCost);
    Plan byDelta = candidate(d, DELTA, m[0], delta, allowZeroCost);
    if (byDelta.bits() < best.bits()) {
      best = byDelta;
    }
    Plan byDod = candidate(d, DOD, m[0], dod, allowZeroCost);
    return byDod.bits() < best.bits() ? byDod : best;
  }

  private static Plan candidate(int d, int transform, long base, long[] run, boolean allowZeroCost) {
    PackedInts.Plan packed = PackedInts.plan(run, 0, run.length, allowZeroCost);
    long baseBits = 8L * varintBytes(PackedInts.zigzag(base));
    return new Plan(d, transform, base, run, packed, 3 + 2 + baseBits + packed.bits());
  }

  static void writeHeader(BitWriter w, Plan p) {
    w.write(p.digits(), 3);
    w.write(p.transform(), 2);
    w.writeVarint(PackedInts.zigzag(p.base()));
    PackedInts.writePlan(w, p.packed());
  }

  static void writeData(BitWriter w, Plan p) {
    PackedInts.writeValues(w, p.packed(), p.run(), 0, p.run().length);
  }

  static Plan readHeader(BitReader r) {
    int d = (int) r.read(3);
    int transform = (int) r.read(2);
    if (d > MAX_DIGITS || transform > DOD) {
      throw Corrupt.of("scaled values with " + d + " digits, transform " + transform);
    }
    long base = PackedInts.unzigzag(r.readVarint());
    return new Plan(d, transform, base, null, PackedInts.readPlan(r), 0);
  }

  static double[] readData(BitReader r, Plan p, int n) {
    long[] m = new long[n];
    double[] values = new double[n];
    double scale = POW10[p.digits()];
    if (p.transform() == OFFSET) {
      PackedInts.readValues(r, p.packed(), m, 0, n);
      for (int i = 0; i < n; i++) {
        values[i] = (double) (m[i] + p.base()) / scale;
      }
      return values;
    }
    PackedInts.readValues(r, p.packed(), m, 1, n);
    m[0] = p.base();
    long delta = 0;
    for (int i = 1; i < n; i++) {
      long z = PackedInts.unzigzag(m[i]);
      delta = p.transform() == DELTA ? z : delta + z;
      m[i] = m[i - 1] + delta;
    }
    for (int i = 0; i < n; i++) {
      values[i] = (double) m[i] / scale;
    }
    return values;
  }

  /** Whether some integer m gives back exactly {@code v} as m / 10^d. */
  private static boolean exact(double v, int d) {
    double scaled = v * POW10[d];
    if (!(Math.abs(scaled) <= MAX_EXACT)) { // also NaN
      return false;
    }
    double back = (double) Math.round(scaled) / POW10[d];
    return Double.doubleToRawLongBits(back) == Double.doubleToRawLongBits(v);
  }

  private static int varintBytes(long v) {
    int bytes = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      bytes++;
    }
    return bytes;
  }
}
