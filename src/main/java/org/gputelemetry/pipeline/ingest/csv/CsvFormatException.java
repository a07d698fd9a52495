package org.gputelemetry.pipeline.ingest.csv;

/**
 * The CSV as a whole cannot be read: no header, or a header without a required column.
 * Problems confined to one row are never thrown; they are counted in a {@link RejectCounter}.
 */
public final class CsvFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CsvFormatException(String message) {
    super(message);
  }
}
