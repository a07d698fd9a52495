package org.gputelemetry.pipeline.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the descriptor's sizes: bytes ({@code 1048576}), binary multiples ({@code 512k},
 * {@code 512m}, {@code 1g}, also {@code 512MiB}, {@code 1GB}: both binary) or a share of the JVM's
 * maximum heap ({@code 60%}), resolved once when read.
 */
public final class ByteSizes {

  private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(%|[kmgt]?)(?:i?b)?");

  private ByteSizes() {
  }

  /**
   * @param maxHeap what a percentage is a share of ({@link Runtime#maxMemory()} in production)
   * @throws ConfigException naming {@code key} when the text is no size, or a percentage outside 1..100
   */
  public static long parse(String key, String text, long maxHeap) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(key, "expected a size such as 536870912, 512m, 1g or 60% (of the max heap), got '" + text + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "size out of range: '" + text + "'");
    }
    if (m.group(2).equals("%")) {
      if (n < 1 || n > 100) {
        throw new ConfigException(key, "a percentage of the max heap must be between 1% and 100%, got '" + text + "'");
      }
      return maxHeap / 100 * n;
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new ConfigException(key, "size out of range: '" + text + "'");
    }
    return n << shift;
  }
}
