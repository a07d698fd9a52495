package org.gputelemetry.pipeline.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Conversions between RFC 3339 text and the microsecond instants the pipeline carries.
 * Stateless and thread-safe.
 */
public final class Timestamps {

  private Timestamps() {
  }

  /**
   * Parses RFC 3339 with {@code Z} or an offset, with or without fractional seconds.
   *
   * @throws IllegalArgumentException if the text is not RFC 3339
   */
  public static long parseMicros(String text) {
    try {
      return toMicros(OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("not an RFC 3339 timestamp: '" + text + "'");
    }
  }

  public static long toMicros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** Current time in microseconds. */
  public static long nowMicros() {
    return toMicros(Instant.now());
  }

  /** RFC 3339 in UTC with {@code Z}; fractional seconds only when non-zero. */
  public static String format(long micros) {
    Instant instant = toInstant(micros);
    if (instant.getNano() == 0) {
      return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
    return DateTimeFormatter.ISO_INSTANT.format(instant.atOffset(ZoneOffset.UTC).toInstant());
  }
}
