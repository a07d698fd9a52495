package org.gputelemetry.pipeline.ingest.csv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of one CSV line (RFC 4180 quoting within the line: commas and doubled quotes inside
 * quotes; characters after a closing quote are kept). Splitting only records where each field
 * lies; a field's text is made when asked for, so columns nobody reads (such as the long
 * {@code labels_raw}) cost nothing. Every field is trimmed after unquoting, and a quoted field
 * preceded by stray spaces ({@code a, "b"}) is unquoted too: RFC 4180 reads those quotes as
 * literal characters, which would make {@code "GPU-1"} a different uuid from {@code GPU-1} (such a
 * field must not hold a comma: the line is split there). Reused line after line; not thread-safe.
 */
final class LineFields {

  /** Outcome of {@link #split}. */
  enum Split { OK, UNTERMINATED_QUOTE, TOO_MANY_FIELDS }

  private String line;
  private int count;
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private final int maxFields;

  LineFields(int maxFields) {
    this.maxFields = maxFields;
  }

  /** Splits {@code text}; the fields are valid until the next call. */
  Split split(String text) {
    line = text;
    count = 0;
    int n = text.length();
    int p = 0;
    while (true) {
      if (count == maxFields) {
        return Split.TOO_MANY_FIELDS;
      }
      int start = p;
      if (p < n && text.charAt(p) == '"') {
        p = closingQuote(text, p + 1);
        if (p < 0) {
          return Split.UNTERMINATED_QUOTE;
        }
      }
      while (p < n && text.charAt(p) != ',') {
        p++;
      }
      add(start, p);
      if (p >= n) {
        return Split.OK;
      }
      p++;
    }
  }

  int count() {
    return count;
  }

  /** Field {@code i}, unquoted and trimmed. */
  String get(int i) {
    int start = starts[i];
    int end = ends[i];
    if (start < end && line.charAt(start) == '"') {
      return unquote(start + 1, end).trim();
    }
    while (start < end && line.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && line.charAt(end - 1) <= ' ') {
      end--;
    }
    if (end - start > 1 && line.charAt(start) == '"' && line.charAt(end - 1) == '"') {
      return line.substring(start + 1, end - 1).replace("\"\"", "\"").trim();
    }
    return line.substring(start, end);
  }

  /** Every field, as the header is read. */
  List<String> all() {
    List<String> fields = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      fields.add(get(i));
    }
    return fields;
  }

  /** Index just past the quote closing a field whose text starts at {@code p}, or -1. */
  private static int closingQuote(String text, int p) {
    int n = text.length();
    while (p < n) {
      if (text.charAt(p) == '"') {
        if (p + 1 < n && text.charAt(p + 1) == '"') {
          p += 2;
          continue;
        }
        return p + 1;
      }
      p++;
    }
    return -1;
  }

  /** The text of a quoted field from just after its opening quote to {@code end}. */
  private String unquote(int from, int end) {
    int close = closingQuote(line, from) - 1;
    if (close == end - 1 && line.indexOf('"', from) == close) {
      return line.substring(from, close); // the common case: no doubled quote, nothing after the closing one
    }
    StringBuilder text = new StringBuilder(end - from);
    for (int i = from; i < close; i++) {
      char c = line.charAt(i);
      text.append(c);
      if (c == '"') {
        i++; // the second quote of a doubled pair
      }
    }
    return text.append(line, close + 1, end).toString();
  }

  private void add(int start, int end) {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      ends = Arrays.copyOf(ends, count * 2);
    }
    starts[count] = start;
    ends[count] = end;
    count++;
  }
}
