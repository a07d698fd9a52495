package org.gputelemetry.pipeline.ingest.csv;

import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.lines;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** What a header must hold, and how the reader fails when it does not. */
class DcgmCsvHeaderTest {

  @Test
  void missingRequiredColumnFailsNamingItAndTheHeaderFound() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> open(lines("timestamp,metric_name,uuid,val", "x,m,GPU-1,1"), false, new RejectCounter()));

    assertTrue(e.getMessage().contains("[value]"), e.getMessage());
    assertTrue(e.getMessage().contains("[timestamp, metric_name, uuid, val]"), e.getMessage());
  }

  @Test
  void everyMissingRequiredColumnIsNamed() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> open(lines("gpu_id,device", "0,nvidia0"), true, new RejectCounter()));

    assertTrue(e.getMessage().contains("[metric_name, uuid, value, timestamp]"), e.getMessage());
  }

  @Test
  void columnNamesAreCaseSensitive() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> open(lines("UUID,metric_name,value", "GPU-1,m,1"), false, new RejectCounter()));

    assertTrue(e.getMessage().contains("[uuid]"), e.getMessage());
  }

  @Test
  void timestampColumnIsRequiredOnlyForSourceTimestamps() {
    String csv = lines("uuid,metric_name,value", "GPU-1,m,1");

    assertEquals(1, DcgmCsvText.readAll(csv, false, new RejectCounter()).size());
    CsvFormatException e = assertThrows(CsvFormatException.class, () -> open(csv, true, new RejectCounter()));
    assertTrue(e.getMessage().contains("[timestamp]"), e.getMessage());
  }

  @Test
  void emptyInputFailsWithNoHeader() {
    CsvFormatException e = assertThrows(CsvFormatException.class, () -> open("", false, new RejectCounter()));

    assertTrue(e.getMessage().startsWith("no header"), e.getMessage());
  }

  @Test
  void inputOfBlankLinesFailsWithNoHeader() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> open("\n  \r\n\t\n", false, new RejectCounter()));

    assertTrue(e.getMessage().startsWith("no header"), e.getMessage());
  }

  @Test
  void headerOnlyInputHasNoRows() {
    try (DcgmCsvReader reader = open(lines(DcgmCsvText.HEADER), true, new RejectCounter())) {
      assertEquals(null, reader.next());
      assertEquals(1, reader.lineNumber());
    }
  }

  @Test
  void closesTheInputWhenTheHeaderIsRejected() {
    TrackingReader input = new TrackingReader("a,b\n1,2\n");

    assertThrows(CsvFormatException.class, () -> DcgmCsvReader.open(input, false, new RejectCounter()));

    assertTrue(input.closed);
  }

  @Test
  void closeClosesTheInput() {
    TrackingReader input = new TrackingReader(lines("uuid,metric_name,value", "GPU-1,m,1"));

    DcgmCsvReader reader = DcgmCsvReader.open(input, false, new RejectCounter());
    assertFalse(input.closed);
    reader.close();

    assertTrue(input.closed);
  }

  /** Remembers whether it was closed. */
  private static final class TrackingReader extends Reader {
    private final StringReader text;
    private boolean closed;

    TrackingReader(String text) {
      this.text = new StringReader(text);
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
      return text.read(buffer, offset, length);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
