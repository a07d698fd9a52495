package org.gputelemetry.pipeline.ingest.csv;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;

/**
 * Splits a character stream into physical lines (LF or CRLF) with bounded memory, and notes while
 * scanning what makes a line unusable: a length over {@code maxChars} (the rest of such a line is
 * skipped without being buffered) or characters no store can hold (NUL, lone UTF-16 surrogates).
 * DCGM exports never put a newline inside a field, so one line is one record, and a bad line
 * costs only itself. Not thread-safe.
 */
final class CsvLines implements Closeable {

  private static final int BUFFER_CHARS = 64 * 1024;

  /** What was wrong with the line {@link #next()} returned, or {@code OK}. */
  enum Flaw { OK, TOO_LONG, INVALID_TEXT }

  private final Reader in;
  private final int maxChars;
  private final char[] buffer = new char[BUFFER_CHARS];
  private final StringBuilder carry = new StringBuilder();
  private int position;
  private int limit;
  private boolean endOfInput;
  private long lineNumber;
  private Flaw flaw = Flaw.OK;

  CsvLines(Reader in, int maxChars) {
    this.in = in;
    this.maxChars = maxChars;
  }

  /**
   * The next line without its terminator, or {@code null} at the end of the input; see
   * {@link #flaw()} for whether it is usable. A {@code TOO_LONG} line comes back empty: it was
   * skipped, not kept.
   */
  String next() {
    carry.setLength(0);
    boolean suspect = false;
    boolean tooLong = false;
    while (true) {
      if (position == limit && !fill()) {
        if (carry.isEmpty() && !tooLong) {
          return null; // nothing after the last newline
        }
        return finish(null, 0, 0, suspect, tooLong);
      }
      int start = position;
      char[] b = buffer;
      int end = limit;
      for (int i = start; i < end; i++) {
        char c = b[i];
        if (c == '\n') {
          position = i + 1;
          return finish(b, start, i, suspect, tooLong);
        } else if (c == '\0' || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
          suspect = true; // checked properly once the line is whole: paired surrogates are fine
        }
      }
      position = end;
      if (!tooLong) {
        if (carry.length() + (end - start) > maxChars) {
          tooLong = true;
          carry.setLength(0);
        } else {
          carry.append(b, start, end - start);
        }
      }
    }
  }

  /** Physical line number of the line last returned; the first line is 1. */
  long lineNumber() {
    return lineNumber;
  }

  /** What was wrong with the line last returned. */
  Flaw flaw() {
    return flaw;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private String finish(char[] b, int start, int end, boolean suspect, boolean tooLong) {
    lineNumber++;
    int length = end - start;
    if (!tooLong && carry.length() + length > maxChars) {
      tooLong = true;
    }
    if (tooLong) {
      carry.setLength(0);
      flaw = Flaw.TOO_LONG;
      return "";
    }
    String line;
    if (carry.isEmpty()) {
      int stop = length > 0 && b[end - 1] == '\r' ? end - 1 : end;
      line = b == null ? "" : new String(b, start, stop - start);
    } else {
      if (b != null) {
        carry.append(b, start, length);
      }
      int stop = carry.length() > 0 && carry.charAt(carry.length() - 1) == '\r' ? carry.length() - 1 : carry.length();
      line = carry.substring(0, stop);
      carry.setLength(0);
    }
    if (suspect && !storable(line)) {
      flaw = Flaw.INVALID_TEXT;
    } else {
      flaw = Flaw.OK;
    }
    return line;
  }

  /** No NUL and every surrogate paired: text that UTF-8 (and so PostgreSQL) can hold. */
  static boolean storable(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return false;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private boolean fill() {
    if (endOfInput) {
      return false;
    }
    try {
      int read;
      do {
        read = in.read(buffer, 0, buffer.length);
      } while (read == 0);
      if (read < 0) {
        endOfInput = true;
        return false;
      }
      position = 0;
      limit = read;
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
