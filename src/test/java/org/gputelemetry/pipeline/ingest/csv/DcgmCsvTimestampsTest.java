package org.gputelemetry.pipeline.ingest.csv;

import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.lines;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

/** Source mode keeps the CSV's time or rejects the row; processing mode never rejects for time. */
class DcgmCsvTimestampsTest {

  /** 2025-07-18T20:42:34Z in microseconds, from {@code date -u -d 2025-07-18T20:42:34Z +%s}. */
  private static final long SCRAPE_MICROS = 1_752_871_354L * 1_000_000L;

  private static final String HEADER = "timestamp,uuid,metric_name,value";

  @Test
  void sourceModeReadsUtcTimestamp() {
    assertEquals(List.of(SCRAPE_MICROS), sourceMicros("2025-07-18T20:42:34Z"));
  }

  @Test
  void sourceModeAppliesTheOffset() {
    assertEquals(List.of(SCRAPE_MICROS, SCRAPE_MICROS - 5_400_000_000L),
        sourceMicros("2025-07-18T22:42:34+02:00", "2025-07-18T20:42:34+01:30"));
  }

  @Test
  void sourceModeKeepsFractionalSecondsToTheMicrosecond() {
    assertEquals(List.of(SCRAPE_MICROS + 500_000L, SCRAPE_MICROS + 123_456L, SCRAPE_MICROS + 123_456L),
        sourceMicros("2025-07-18T22:42:34.5+02:00", "2025-07-18T20:42:34.123456Z", "2025-07-18T20:42:34.123456789Z"));
  }

  @Test
  void offsetAndUtcSpellingsOfOneInstantAreEqual() {
    List<Long> micros = sourceMicros("2025-07-18T22:42:34.5+02:00", "2025-07-18T20:42:34.500Z");

    assertEquals(micros.get(0), micros.get(1));
  }

  @Test
  void rowsSharingATimestampTextAllParseCorrectly() {
    // Consecutive equal texts are parsed once; a different text in between must not leak.
    List<Long> micros = sourceMicros("2025-07-18T20:42:34Z", "2025-07-18T20:42:34Z", "2025-07-18T20:42:35Z",
        "2025-07-18T20:42:34Z");

    assertEquals(List.of(SCRAPE_MICROS, SCRAPE_MICROS, SCRAPE_MICROS + 1_000_000L, SCRAPE_MICROS), micros);
  }

  @Test
  void sourceModeRejectsEveryRowOfARepeatedBadTimestamp() {
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv("later", "later", "2025-07-18T20:42:34Z", "later"), true, rejects);

    assertEquals(1, samples.size());
    assertEquals(3, rejects.count(RejectReason.BAD_TIMESTAMP));
  }

  @Test
  void processingModeKeepsAValidTimestamp() {
    Sample sample = readAll(csv("2025-07-18T20:42:34Z"), false, new RejectCounter()).get(0);

    assertEquals(SCRAPE_MICROS, sample.timestampMicros());
  }

  @Test
  void processingModeToleratesBadOrMissingTimestamp() {
    RejectCounter rejects = new RejectCounter();

    List<Long> micros = readAll(csv("not a time", "", "2025-07-18T20:42:34Z", "not a time"), false, rejects)
        .stream().map(Sample::timestampMicros).toList();

    assertEquals(List.of(0L, 0L, SCRAPE_MICROS, 0L), micros);
    assertEquals(0, rejects.total());
  }

  @Test
  void processingModeNeedsNoTimestampColumn() {
    Sample sample = readAll(lines("uuid,metric_name,value", "GPU-1,m,1"), false, new RejectCounter()).get(0);

    assertEquals(0, sample.timestampMicros());
  }

  private static List<Long> sourceMicros(String... timestamps) {
    RejectCounter rejects = new RejectCounter();
    List<Long> micros = readAll(csv(timestamps), true, rejects).stream().map(Sample::timestampMicros).toList();
    assertEquals(0, rejects.total());
    return micros;
  }

  private static String csv(String... timestamps) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (String timestamp : timestamps) {
      csv.append('"').append(timestamp).append("\",GPU-1,DCGM_FI_DEV_GPU_UTIL,1\n");
    }
    return csv.toString();
  }
}
