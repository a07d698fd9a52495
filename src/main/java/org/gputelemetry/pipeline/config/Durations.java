package org.gputelemetry.pipeline.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the descriptor's duration strings: {@code 250ms}, {@code 2s}, {@code 5m}, {@code 12h}, {@code 7d}. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {
  }

  /**
   * @throws ConfigException naming {@code key} when the text is not a non-negative duration
   */
  public static Duration parse(String key, String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new ConfigException(key, "expected a duration such as 100ms, 2s, 5m, 12h or 7d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The shortest exact form, so that {@code parse(format(d))} gives {@code d} back. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms != 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms != 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms != 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1_000L == 0 && ms != 0) {
      return ms / 1_000L + "s";
    }
    return ms + "ms";
  }
}
