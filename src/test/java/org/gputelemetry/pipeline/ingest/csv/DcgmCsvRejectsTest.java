package org.gputelemetry.pipeline.ingest.csv;

import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.HEADER;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.lines;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.open;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.readAll;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

/** Rows that cannot become samples: each is counted under its reason and reading goes on. */
class DcgmCsvRejectsTest {

  @Test
  void rejectsRowWithTooFewFields() {
    assertRejectedBetweenGoodRows(RejectReason.TOO_FEW_FIELDS,
        "\"2025-07-18T20:42:34Z\",\"DCGM_FI_DEV_GPU_UTIL\",\"0\"");
  }

  @Test
  void acceptsShortRowThatStillHoldsEveryRequiredColumn() {
    // value is the last required column; the optional ones after it are simply absent.
    String csv = lines("uuid,metric_name,value,pod,namespace", "GPU-1,m,1");
    RejectCounter rejects = new RejectCounter();

    Sample sample = readAll(csv, false, rejects).get(0);

    assertNull(sample.pod());
    assertEquals(0, rejects.total());
  }

  @Test
  void rejectsRowWithMissingUuid() {
    assertRejectedBetweenGoodRows(RejectReason.MISSING_UUID, row("", "1"));
  }

  @Test
  void rejectsRowWithBlankUuid() {
    assertRejectedBetweenGoodRows(RejectReason.MISSING_UUID, row("   ", "1"));
  }

  @Test
  void rejectsRowWithMissingMetric() {
    assertRejectedBetweenGoodRows(RejectReason.MISSING_METRIC,
        row("2025-07-18T20:42:34Z", " ", "0", "GPU-1", "host-1", "1"));
  }

  @Test
  void rejectsRowWithUnparsableValue() {
    assertRejectedBetweenGoodRows(RejectReason.BAD_VALUE, row("GPU-1", "12 %"));
  }

  @Test
  void rejectsRowWithEmptyValue() {
    assertRejectedBetweenGoodRows(RejectReason.BAD_VALUE, row("GPU-1", ""));
  }

  @Test
  void rejectsRowWithNonFiniteValue() {
    for (String value : List.of("NaN", "Infinity", "-Infinity", "+Inf", "-inf", "nan")) {
      assertRejectedBetweenGoodRows(RejectReason.NON_FINITE_VALUE, row("GPU-1", value));
    }
  }

  @Test
  void rejectsRowWithBadTimestampInSourceMode() {
    for (String timestamp : List.of("yesterday", "", "2025-07-18 20:42:34", "2025-07-18T20:42:34")) {
      assertRejectedBetweenGoodRows(RejectReason.BAD_TIMESTAMP,
          row(timestamp, "DCGM_FI_DEV_GPU_UTIL", "0", "GPU-1", "host-1", "1"));
    }
  }

  @Test
  void countsEachReasonSeparately() {
    String csv = lines(HEADER,
        row("GPU-1", "x"), row("GPU-1", "NaN"), row("GPU-1", "y"), row("", "1"), "\"only\",\"two\"",
        row("GPU-1", "1"));
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    assertEquals(1, samples.size());
    Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      expected.put(reason, 0L);
    }
    expected.put(RejectReason.BAD_VALUE, 2L);
    expected.put(RejectReason.NON_FINITE_VALUE, 1L);
    expected.put(RejectReason.MISSING_UUID, 1L);
    expected.put(RejectReason.TOO_FEW_FIELDS, 1L);
    assertEquals(expected, rejects.snapshot());
    assertEquals(5, rejects.total());
  }

  @Test
  void rejectIsLoggedWithTheLineOfTheRejectedRow() {
    String csv = lines(HEADER, row("GPU-1", "1"), "", row("GPU-1", "bad"), row("GPU-2", "2"));

    try (DcgmCsvLogCapture log = DcgmCsvLogCapture.start();
         DcgmCsvReader reader = open(csv, true, new RejectCounter())) {
      assertEquals(1, reader.lineNumber());
      reader.next();
      assertEquals(2, reader.lineNumber());
      assertEquals("GPU-2", reader.next().gpu().uuid());
      assertEquals(5, reader.lineNumber());
      assertEquals(1, log.messages().size());
      String message = log.messages().get(0);
      assertTrue(message.contains("line 4 (bad_value): value \"bad\""), message);
    }
  }

  @Test
  void rowOfTooManyFieldsCostsOnlyItself() {
    // Over FastCSV's 16,384 fields per record, which used to end the input.
    String csv = lines(HEADER, row("GPU-1", "1"), ",".repeat(20_000), row("GPU-2", "2"));
    RejectCounter rejects = new RejectCounter();

    try (DcgmCsvReader reader = open(csv, true, rejects)) {
      assertEquals("GPU-1", reader.next().gpu().uuid());
      assertEquals("GPU-2", reader.next().gpu().uuid());
      assertEquals(4, reader.lineNumber());
      assertNull(reader.next());
    }
    assertEquals(1, rejects.count(RejectReason.TOO_MANY_FIELDS));
    assertEquals(1, rejects.total());
  }

  /** The bad row between two good ones: both good rows come out, the bad one is counted once. */
  private static void assertRejectedBetweenGoodRows(RejectReason reason, String badRow) {
    String csv = lines(HEADER, row("GPU-A", "1"), badRow, row("GPU-B", "2"));
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    assertEquals(List.of("GPU-A", "GPU-B"), samples.stream().map(s -> s.gpu().uuid()).toList(), badRow);
    assertEquals(1, rejects.count(reason), badRow);
    assertEquals(1, rejects.total(), badRow);
  }
}
