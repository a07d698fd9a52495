package org.gputelemetry.pipeline.ingest.csv;

/**
 * Whether a value is a plain decimal number as DCGM writes it: an optional sign, digits with an
 * optional fraction (or a fraction alone), and an optional exponent ({@code 12}, {@code -0.5},
 * {@code 1.5e-3}, {@code .5}, {@code 3.}). {@link Double#parseDouble} also takes hex ({@code 0x1p3}),
 * type suffixes ({@code 1d}, {@code 1f}), surrounding whitespace and {@code NaN}/{@code Infinity};
 * this check runs first so that those are refused. One pass, no allocation; stateless.
 */
final class DecimalText {

  private DecimalText() {
  }

  static boolean isDecimal(String text) {
    int n = text.length();
    int i = 0;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && isDigit(text.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && text.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(text.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = 0;
      while (i < n && isDigit(text.charAt(i))) {
        i++;
        exponentDigits++;
      }
      if (exponentDigits == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
