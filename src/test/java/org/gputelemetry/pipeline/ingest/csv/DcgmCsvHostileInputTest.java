package org.gputelemetry.pipeline.ingest.csv;

import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.HEADER;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.lines;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.readAll;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

/**
 * Input built to break the reader: each bad line costs only itself, is counted under its reason,
 * and the reader goes on at the next line with bounded memory.
 */
class DcgmCsvHostileInputTest {

  @Test
  void lineOverTheCapIsSkippedAndTheNextLineIsRead() {
    // a 16 MB field: over FastCSV's buffer, which used to end the input
    String huge = row("GPU-X", "1").replace("nvidia0", "x".repeat(16 * 1024 * 1024 + 1));
    assertRejectedBetweenGoodRows(RejectReason.LINE_TOO_LONG, huge);
  }

  @Test
  void fiftyMegabyteLineIsSkippedWithoutBeingHeld() {
    long lineChars = 50L * 1024 * 1024;
    String head = HEADER + "\n" + row("GPU-A", "1") + "\n";
    String tail = "\n" + row("GPU-B", "2") + "\n";
    RejectCounter rejects = new RejectCounter();
    long heapBefore = usedHeap();
    List<Sample> samples = new ArrayList<>();
    long peak = 0;

    try (DcgmCsvReader reader = DcgmCsvReader.open(new GeneratedLine(head, lineChars, tail), true, rejects)) {
      for (Sample s = reader.next(); s != null; s = reader.next()) {
        samples.add(s);
        peak = Math.max(peak, usedHeap() - heapBefore);
      }
    }

    assertEquals(List.of("GPU-A", "GPU-B"), samples.stream().map(s -> s.gpu().uuid()).toList());
    assertEquals(1, rejects.count(RejectReason.LINE_TOO_LONG));
    assertEquals(1, rejects.total());
    // held whole, the line would take 100 MB of chars (twice that while a builder grows)
    assertTrue(peak < 40L * 1024 * 1024, "heap grew by " + peak + " bytes");
  }

  @Test
  void unterminatedQuoteCostsOnlyItsLine() {
    List<String> csv = new ArrayList<>(List.of(HEADER, row("GPU-A", "1"), "\"2025-07-18T20:42:34Z\",\"m\",\"0\",\"nvidia0\",\"GPU-X"));
    for (int i = 0; i < 50; i++) {
      csv.add(row("GPU-B", Integer.toString(i)));
    }
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(lines(csv.toArray(String[]::new)), true, rejects);

    assertEquals(51, samples.size());
    assertEquals(49.0, samples.get(50).value());
    assertEquals(1, rejects.count(RejectReason.UNTERMINATED_QUOTE));
    assertEquals(1, rejects.total());
  }

  @Test
  void rowOfMoreFieldsThanTheCapIsSkipped() {
    assertRejectedBetweenGoodRows(RejectReason.TOO_MANY_FIELDS, row("GPU-X", "1") + ",x".repeat(DcgmCsvReader.MAX_FIELDS));
  }

  @Test
  void rowWithANulCharacterIsRejectedAsInvalidText() {
    assertRejectedBetweenGoodRows(RejectReason.INVALID_TEXT, row("GPU-\u0000X", "1"));
  }

  @Test
  void rowWithAnUnpairedSurrogateIsRejectedAsInvalidText() {
    assertRejectedBetweenGoodRows(RejectReason.INVALID_TEXT, row("GPU-\uD800X", "1"));
    assertRejectedBetweenGoodRows(RejectReason.INVALID_TEXT, row("GPU-X\uDC00", "1"));
  }

  @Test
  void pairedSurrogatesAreKept() {
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(lines(HEADER, row("GPU-\uD83D\uDE00", "1")), true, rejects);

    assertEquals("GPU-\uD83D\uDE00", samples.get(0).gpu().uuid());
    assertEquals(0, rejects.total());
  }

  @Test
  void rejectsTimestampOutsideYearsOneToNineThousandNineHundredNinetyNine() {
    for (String timestamp : List.of("0000-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "+290000-01-01T00:00:00Z",
        "-290000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01")) {
      assertRejectedBetweenGoodRows(RejectReason.TIMESTAMP_OUT_OF_RANGE,
          row(timestamp, "DCGM_FI_DEV_GPU_UTIL", "0", "GPU-1", "host-1", "1"));
    }
  }

  @Test
  void keepsTimestampsAtTheEdgesOfTheRange() {
    String csv = lines(HEADER, row("0001-01-01T00:00:00Z", "m", "0", "GPU-1", "h", "1"),
        row("9999-12-31T23:59:59.999999Z", "m", "0", "GPU-1", "h", "2"));
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    assertEquals(DcgmCsvReader.MIN_TIMESTAMP_MICROS, samples.get(0).timestampMicros());
    assertEquals(DcgmCsvReader.MAX_TIMESTAMP_MICROS, samples.get(1).timestampMicros());
    assertEquals(0, rejects.total());
  }

  @Test
  void rejectsNumbersThatDcgmDoesNotWrite() {
    for (String value : List.of("1d", "1f", "1D", "0x1p3", "0x10", "1e", "e5", ".", "+", "-", "1.5e+", "1_000",
        "1,5", "--1", "1e5.5", "١")) {
      assertRejectedBetweenGoodRows(RejectReason.BAD_VALUE, row("GPU-1", value));
    }
  }

  @Test
  void acceptsDecimalNumbersAsDcgmWritesThem() {
    List<String> values = List.of("0", "100", "-3", "+3", "0.5", "-0.25", ".5", "3.", "1.5e-3", "2E10", "7e+2",
        "000123", " 42 ");
    List<String> csv = new ArrayList<>(List.of(HEADER));
    values.forEach(v -> csv.add(row("GPU-1", v)));
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(lines(csv.toArray(String[]::new)), true, rejects);

    assertEquals(List.of(0.0, 100.0, -3.0, 3.0, 0.5, -0.25, 0.5, 3.0, 1.5e-3, 2e10, 700.0, 123.0, 42.0),
        samples.stream().map(Sample::value).toList());
    assertEquals(0, rejects.total());
  }

  @Test
  void hugeExponentIsNonFinite() {
    assertRejectedBetweenGoodRows(RejectReason.NON_FINITE_VALUE, row("GPU-1", "1e999"));
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void assertRejectedBetweenGoodRows(RejectReason reason, String badRow) {
    String csv = lines(HEADER, row("GPU-A", "1"), badRow, row("GPU-B", "2"));
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    String shown = badRow.length() > 100 ? badRow.substring(0, 100) + "..." : badRow;
    assertEquals(List.of("GPU-A", "GPU-B"), samples.stream().map(s -> s.gpu().uuid()).toList(), shown);
    assertEquals(1, rejects.count(reason), shown);
    assertEquals(1, rejects.total(), shown);
  }

  /** {@code head}, then one line of {@code chars} x's made on the fly, then {@code tail}. */
  private static final class GeneratedLine extends Reader {
    private final Reader head;
    private final Reader tail;
    private long remaining;

    GeneratedLine(String head, long chars, String tail) {
      this.head = new StringReader(head);
      this.tail = new StringReader(tail);
      this.remaining = chars;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws java.io.IOException {
      int n = head.read(buffer, offset, length);
      if (n > 0) {
        return n;
      }
      if (remaining > 0) {
        int count = (int) Math.min(length, remaining);
        java.util.Arrays.fill(buffer, offset, offset + count, 'x');
        remaining -= count;
        return count;
      }
      return tail.read(buffer, offset, length);
    }

    @Override
    public void close() {
    }
  }
}
