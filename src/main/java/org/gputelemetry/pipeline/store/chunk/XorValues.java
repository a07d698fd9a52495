package org.gputelemetry.pipeline.store.chunk;

/**
 * Values as Gorilla writes them (Pelkonen et al., VLDB 2015): the first value's 64 bits, then
 * each value XORed with the previous one: {@code 0} when equal; {@code 10} and the meaningful
 * bits when they fall inside the previous window of leading and trailing zeros; {@code 11}, 5 bits
 * of leading zeros (at most 31), 6 bits of meaningful length (64 written as 0) and the bits.
 * Works on the raw bits, so NaN payloads, infinities and -0.0 round-trip exactly.
 */
final class XorValues {

  private XorValues() {
  }

  /** The bits {@link #write} would spend on {@code values[0..n)}. */
  static long cost(double[] values, int n) {
    long bits = 64;
    long prev = Double.doubleToRawLongBits(values[0]);
    int prevLead = -1;
    int prevTrail = 0;
    for (int i = 1; i < n; i++) {
      long cur = Double.doubleToRawLongBits(values[i]);
      long x = cur ^ prev;
      prev = cur;
      if (x == 0) {
        bits += 1;
        continue;
      }
      int lead = Math.min(31, Long.numberOfLeadingZeros(x));
      int trail = Long.numberOfTrailingZeros(x);
      if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
        bits += 2 + 64 - prevLead - prevTrail;
      } else {
        bits += 2 + 5 + 6 + 64 - lead - trail;
        prevLead = lead;
        prevTrail = trail;
      }
    }
    return bits;
  }

  static void write(BitWriter w, double[] values, int n) {
    long prev = Double.doubleToRawLongBits(values[0]);
    w.write(prev, 64);
    int prevLead = -1;
    int prevTrail = 0;
    for (int i = 1; i < n; i++) {
      long cur = Double.doubleToRawLongBits(values[i]);
      long x = cur ^ prev;
      prev = cur;
      if (x == 0) {
        w.write(0, 1);
        continue;
      }
      int lead = Math.min(31, Long.numberOfLeadingZeros(x));
      int trail = Long.numberOfTrailingZeros(x);
      if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
        w.write(0b10, 2);
        w.write(x >>> prevTrail, 64 - prevLead - prevTrail);
      } else {
        int meaningful = 64 - lead - trail;
        w.write(0b11, 2);
        w.write(lead, 5);
        w.write(meaningful & 63, 6);
        w.write(x >>> trail, meaningful);
        prevLead = lead;
        prevTrail = trail;
      }
    }
  }

  static double[] read(BitReader r, int n) {
    double[] values = new double[n];
    long prev = r.read(64);
    values[0] = Double.longBitsToDouble(prev);
    int lead = -1;
    int trail = 0;
    for (int i = 1; i < n; i++) {
      if (r.readBit()) {
        if (r.readBit()) {
          lead = (int) r.read(5);
          int meaningful = (int) r.read(6);
          meaningful = meaningful == 0 ? 64 : meaningful;
          trail = 64 - lead - meaningful;
          if (trail < 0) {
            throw Corrupt.of(lead + " leading zeros and " + meaningful + " meaningful bits");
          }
        } else if (lead < 0) {
          throw Corrupt.of("XOR window reused before one was set");
        }
        prev ^= r.read(64 - lead - trail) << trail;
      }
      values[i] = Double.longBitsToDouble(prev);
    }
    return values;
  }
}
