package org.gputelemetry.pipeline.streamer.csv;

import de.siegmar.fastcsv.reader.FieldModifier;

/**
 * Trims every field after unquoting. Also unwraps a quoted field preceded by stray spaces
 * ({@code a, "b"}): RFC 4180 reads its quotes as literal characters, which would make
 * {@code "GPU-1"} a different uuid from {@code GPU-1}. Such a field must not hold a comma (the
 * parser has already split there). Stateless and thread-safe.
 */
final class TidyField implements FieldModifier {

  static final TidyField INSTANCE = new TidyField();

  private TidyField() {
  }

  @Override
  public String modify(long startingLineNumber, int fieldIdx, boolean quoted, String field) {
    String trimmed = field.trim();
    int last = trimmed.length() - 1;
    if (!quoted && last > 0 && trimmed.charAt(0) == '"' && trimmed.charAt(last) == '"') {
      return trimmed.substring(1, last).replace("\"\"", "\"").trim();
    }
    return trimmed;
  }
}
