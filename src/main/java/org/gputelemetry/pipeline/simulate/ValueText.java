package org.gputelemetry.pipeline.simulate;

/**
 * Values as DCGM exports print them: integers without a fraction ({@code 97}, {@code 81007}),
 * others in Java's shortest round-trip form ({@code 156.596}). The simulator rounds fractional
 * values to three decimals, so the short form never turns to exponent notation.
 */
final class ValueText {

  /** Below this, a whole double prints exactly as a long. */
  private static final double EXACT_LONG = 1e15;

  private ValueText() {
  }

  static StringBuilder append(StringBuilder out, double value) {
    if (value == Math.rint(value) && Math.abs(value) < EXACT_LONG) {
      return out.append((long) value);
    }
    return out.append(value);
  }

  /** Microseconds as decimal seconds: {@code 1752871354} or {@code 1752871354.25}. */
  static StringBuilder appendSeconds(StringBuilder out, long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    long fraction = Math.floorMod(micros, 1_000_000L);
    out.append(seconds);
    if (fraction != 0) {
      String digits = Long.toString(fraction + 1_000_000L).substring(1);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      out.append('.').append(digits, 0, end);
    }
    return out;
  }
}
