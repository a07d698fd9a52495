package org.gputelemetry.pipeline.store.chunk;

/**
 * A run of unsigned 64-bit integers (zig-zagged deltas, offsets) written with widths chosen for
 * that run: either every value in one fixed width, or each value in one of four width classes
 * with the prefix codes {@code 0}, {@code 10}, {@code 110}, {@code 111}. The widths are picked
 * from the histogram of the values' bit lengths to minimise the total, so a run that is mostly
 * zero with rare jumps costs about one bit a value, a run of uniform noise costs its width
 * (Gorilla's fixed delta-of-delta buckets are one point of this space) and a run of zeros costs
 * nothing (fixed width 0). {@link #minBits} tells what a plan spends at least a value, which
 * bounds the point count a chunk may claim.
 *
 * <p>Layout: the plan (1 bit form, 0 fixed or 1 classes; 7 bits of width, or 4 x 7 bits of the
 * classes' widths, ascending), written apart from the values so a decoder can check every plan
 * of a chunk before it allocates.
 */
final class PackedInts {

  private static final int WIDTH_BITS = 7;

  /** How a run is written, and its cost in bits including the header. */
  record Plan(boolean fixed, int[] widths, long bits) {
  }

  private PackedInts() {
  }

  /** The cheapest plan for {@code v[from..to)}; with {@code allowZeroCost} false, never under 1 bit a value. */
  static Plan plan(long[] v, int from, int to, boolean allowZeroCost) {
    long[] count = new long[65];
    for (int i = from; i < to; i++) {
      count[64 - Long.numberOfLeadingZeros(v[i])]++;
    }
    int[] lengths = new int[65];
    int k = 0;
    for (int len = 0; len <= 64; len++) {
      if (count[len] > 0) {
        lengths[k++] = len;
      }
    }
    int max = k == 0 ? 0 : lengths[k - 1];
    long n = to - from;
    long[] upTo = new long[k]; // values with a length <= lengths[j]
    long running = 0;
    for (int j = 0; j < k; j++) {
      running += count[lengths[j]];
      upTo[j] = running;
    }
    Plan best = new Plan(false, new int[] {max, max, max, max}, 1 + 4 * WIDTH_BITS + n * (1 + max));
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        for (int c = b; c < k; c++) {
          long bits = upTo[a] * (1 + lengths[a]) + (upTo[b] - upTo[a]) * (2 + lengths[b])
              + (upTo[c] - upTo[b]) * (3 + lengths[c]) + (n - upTo[c]) * (3 + max);
          bits += 1 + 4 * WIDTH_BITS;
          if (bits < best.bits()) {
            best = new Plan(false, new int[] {lengths[a], lengths[b], lengths[c], max}, bits);
          }
        }
      }
    }
    long fixed = 1 + WIDTH_BITS + n * max;
    if (fixed <= best.bits() && (allowZeroCost || max > 0)) {
      best = new Plan(true, new int[] {max}, fixed);
    }
    return best;
  }

  static void writePlan(BitWriter w, Plan plan) {
    w.writeBit(!plan.fixed());
    for (int width : plan.widths()) {
      w.write(width, WIDTH_BITS);
    }
  }

  static void writeValues(BitWriter w, Plan plan, long[] v, int from, int to) {
    int[] widths = plan.widths();
    if (plan.fixed()) {
      for (int i = from; i < to; i++) {
        w.write(v[i], widths[0]);
      }
      return;
    }
    for (int i = from; i < to; i++) {
      int len = 64 - Long.numberOfLeadingZeros(v[i]);
      int c = len <= widths[0] ? 0 : len <= widths[1] ? 1 : len <= widths[2] ? 2 : 3;
      w.write(PREFIX[c], PREFIX_BITS[c]);
      w.write(v[i], widths[c]);
    }
  }

  private static final int[] PREFIX = {0b0, 0b10, 0b110, 0b111};
  private static final int[] PREFIX_BITS = {1, 2, 3, 3};

  /** Reads the header {@link #write} put before a run; the plan's {@code bits} are not known and left 0. */
  static Plan readPlan(BitReader r) {
    boolean fixed = !r.readBit();
    int[] widths = new int[fixed ? 1 : 4];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = (int) r.read(WIDTH_BITS);
      if (widths[i] > 64) {
        throw Corrupt.of("width " + widths[i]);
      }
    }
    return new Plan(fixed, widths, 0);
  }

  /** The fewest bits a value can cost under {@code plan}: what bounds a run's length by the bytes left. */
  static int minBits(Plan plan) {
    return plan.fixed() ? plan.widths()[0] : 1;
  }

  /** Reads the values of a run whose header {@link #readPlan} read into {@code out[from..to)}. */
  static void readValues(BitReader r, Plan plan, long[] out, int from, int to) {
    int[] widths = plan.widths();
    if (plan.fixed()) {
      for (int i = from; i < to; i++) {
        out[i] = r.read(widths[0]);
      }
      return;
    }
    for (int i = from; i < to; i++) {
      out[i] = r.read(widths[r.readOnes(3)]);
    }
  }

  static long zigzag(long x) {
    return (x << 1) ^ (x >> 63);
  }

  static long unzigzag(long z) {
    return (z >>> 1) ^ -(z & 1);
  }
}
