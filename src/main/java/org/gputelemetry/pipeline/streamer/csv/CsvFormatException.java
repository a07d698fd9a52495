package org.gputelemetry.pipeline.streamer.csv;

/** The file cannot be read as a DCGM CSV at all (no header, required column missing). */
public final class CsvFormatException extends RuntimeException {

  public CsvFormatException(String message) {
    super(message);
  }
}
