package org.gputelemetry.pipeline.store.chunk;

/**
 * A run of unsigned 64-bit integers (zig-zagged deltas, offsets) written with widths chosen for
 * that run, in one of three forms: every value in one fixed width; each value in one of four
 * width classes with the prefix codes {@code 0}, {@code 10}, {@code 110}, {@code 111}; or each
 * value in a narrow width w whose all-ones pattern escapes to the full width (timer jitter with
 * rare stalls then costs w bits a value, no prefix). The widths are picked from the histogram of
 * the values' bit lengths to minimise the total, so a run that is mostly zero with rare jumps
 * costs about one bit a value, a run of uniform noise its width (Gorilla's fixed delta-of-delta
 * buckets are one point of this space) and a run of zeros nothing (fixed width 0).
 * {@link #minBits} tells what a plan spends at least a value, which bounds the point count a
 * chunk may claim.
 *
 * <p>Layout: the plan (2 bits form, 0 fixed, 1 classes, 2 escape; 7 bits of width, 4 x 7 bits of
 * the classes' widths, ascending, or 7 bits w and 7 bits full width), written apart from the
 * values so a decoder can check every plan of a chunk before it allocates.
 */
final class PackedInts {

  private static final int FORM_BITS = 2;
  private static final int WIDTH_BITS = 7;

  static final int FIXED = 0;
  static final int CLASSES = 1;
  static final int ESCAPE = 2;

  /** How a run is written ({@code widths}: W; w0..w3; w and W), and its cost in bits including the header. */
  record Plan(int form, int[] widths, long bits) {
  }

  private PackedInts() {
  }

  /** The cheapest plan for {@code v[from..to)}; with {@code allowZeroCost} false, never under 1 bit a value. */
  static Plan plan(long[] v, int from, int to, boolean allowZeroCost) {
    long[] count = new long[65];
    long[] allOnes = new long[65]; // values that are 2^len - 1: the escape of width len
    for (int i = from; i < to; i++) {
      int len = 64 - Long.numberOfLeadingZeros(v[i]);
      count[len]++;
      if ((v[i] & (v[i] + 1)) == 0) {
        allOnes[len]++;
      }
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
    Plan best = new Plan(CLASSES, new int[] {max, max, max, max}, FORM_BITS + 4 * WIDTH_BITS + n * (1 + max));
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        for (int c = b; c < k; c++) {
          long bits = upTo[a] * (1 + lengths[a]) + (upTo[b] - upTo[a]) * (2 + lengths[b])
              + (upTo[c] - upTo[b]) * (3 + lengths[c]) + (n - upTo[c]) * (3 + max);
          bits += FORM_BITS + 4 * WIDTH_BITS;
          if (bits < best.bits()) {
            best = new Plan(CLASSES, new int[] {lengths[a], lengths[b], lengths[c], max}, bits);
          }
        }
      }
    }
    for (int j = 0; j < k; j++) {
      int w = lengths[j];
      if (w > 0 && w < max) {
        long escapes = n - upTo[j] + allOnes[w];
        long bits = FORM_BITS + 2 * WIDTH_BITS + n * w + escapes * max;
        if (bits < best.bits()) {
          best = new Plan(ESCAPE, new int[] {w, max}, bits);
        }
      }
    }
    long fixed = FORM_BITS + WIDTH_BITS + n * max;
    if (fixed <= best.bits() && (allowZeroCost || max > 0)) {
      best = new Plan(FIXED, new int[] {max}, fixed);
    }
    return best;
  }

  static void writePlan(BitWriter w, Plan plan) {
    w.write(plan.form(), FORM_BITS);
    for (int width : plan.widths()) {
      w.write(width, WIDTH_BITS);
    }
  }

  static void writeValues(BitWriter w, Plan plan, long[] v, int from, int to) {
    int[] widths = plan.widths();
    if (plan.form() == FIXED) {
      for (int i = from; i < to; i++) {
        w.write(v[i], widths[0]);
      }
      return;
    }
    if (plan.form() == ESCAPE) {
      long escape = (1L << widths[0]) - 1;
      for (int i = from; i < to; i++) {
        if (Long.compareUnsigned(v[i], escape) < 0) { // unsigned: a 64-bit value is not small
          w.write(v[i], widths[0]);
        } else {
          w.write(escape, widths[0]);
          w.write(v[i], widths[1]);
        }
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
    int form = (int) r.read(FORM_BITS);
    if (form > ESCAPE) {
      throw Corrupt.of("packed form " + form);
    }
    int[] widths = new int[form == FIXED ? 1 : form == CLASSES ? 4 : 2];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = (int) r.read(WIDTH_BITS);
      if (widths[i] > 64) {
        throw Corrupt.of("width " + widths[i]);
      }
    }
    if (form == ESCAPE && (widths[0] == 0 || widths[0] == 64)) {
      throw Corrupt.of("escape width " + widths[0]);
    }
    return new Plan(form, widths, 0);
  }

  /** The fewest bits a value can cost under {@code plan}: what bounds a run's length by the bytes left. */
  static int minBits(Plan plan) {
    return plan.form() == CLASSES ? 1 : plan.widths()[0];
  }

  /** Reads the values of a run whose header {@link #readPlan} read into {@code out[from..to)}. */
  static void readValues(BitReader r, Plan plan, long[] out, int from, int to) {
    int[] widths = plan.widths();
    if (plan.form() == FIXED) {
      for (int i = from; i < to; i++) {
        out[i] = r.read(widths[0]);
      }
      return;
    }
    if (plan.form() == ESCAPE) {
      long escape = (1L << widths[0]) - 1;
      for (int i = from; i < to; i++) {
        long x = r.read(widths[0]);
        out[i] = x == escape ? r.read(widths[1]) : x;
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
