package org.gputelemetry.pipeline.streamer.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.junit.jupiter.api.Test;

class DcgmCsvReaderTest {

  private static final String HEADER = "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw";

  private final RejectCounter rejects = new RejectCounter();

  private List<Sample> read(String csv, boolean source) throws IOException {
    return DcgmCsvReader.readAll(new StringReader(csv), source, rejects);
  }

  private static long micros(String rfc3339) {
    return Timestamps.toMicros(Instant.parse(rfc3339));
  }

  @Test
  void readsQuotedRowWithCommasAndDoubledQuotesInLabels() throws IOException {
    String csv = HEADER + "\n"
        + "\"2025-07-18T20:42:34Z\",\"DCGM_FI_DEV_GPU_UTIL\",\"3\",\"nvidia3\",\"GPU-abc\",\"NVIDIA H100 80GB HBM3\","
        + "\"host-1\",\"\",\"\",\"\",\"87\",\"DCGM_FI_DRIVER_VERSION=\"\"535.129.03\"\",Hostname=\"\"host-1\"\"\"\n";
    List<Sample> rows = read(csv, true);
    assertEquals(1, rows.size());
    Sample s = rows.get(0);
    assertEquals("GPU-abc", s.gpu().uuid());
    assertEquals(3, s.gpu().gpuIndex());
    assertEquals("nvidia3", s.gpu().device());
    assertEquals("NVIDIA H100 80GB HBM3", s.gpu().modelName());
    assertEquals("host-1", s.gpu().hostname());
    assertEquals("DCGM_FI_DEV_GPU_UTIL", s.metric());
    assertEquals(87.0, s.value());
    assertEquals(micros("2025-07-18T20:42:34Z"), s.timestampMicros());
    assertNull(s.pod());
    assertEquals(0, rejects.total());
  }

  @Test
  void columnsMayComeInAnyOrderWithUnknownOnesIgnoredAndLowercaseHostname() throws IOException {
    String csv = "value,extra,uuid,hostname,metric_name,timestamp,pod,namespace,container\n"
        + "1.5,whatever,GPU-1,h1,DCGM_FI_DEV_GPU_TEMP,2025-07-18T20:42:34Z,trainer-0,ml,main\n";
    Sample s = read(csv, true).get(0);
    assertEquals(1.5, s.value());
    assertEquals("h1", s.gpu().hostname());
    assertEquals(-1, s.gpu().gpuIndex());
    assertEquals("trainer-0", s.pod());
    assertEquals("ml", s.namespace());
    assertEquals("main", s.container());
  }

  @Test
  void handlesBomCrlfBlankLinesAndWhitespaceAroundValues() throws IOException {
    String csv = "\uFEFF" + "timestamp, metric_name ,uuid,value\r\n"
        + "\r\n"
        + " 2025-07-18T20:42:34Z , DCGM_FI_DEV_GPU_UTIL ,  GPU-1 ,  42 \r\n"
        + "\r\n"
        + "\"2025-07-18T20:42:35Z\",\" m2 \",\"GPU-1\",\" 7 \"\r\n";
    List<Sample> rows = read(csv, true);
    assertEquals(2, rows.size());
    assertEquals("DCGM_FI_DEV_GPU_UTIL", rows.get(0).metric());
    assertEquals("GPU-1", rows.get(0).gpu().uuid());
    assertEquals(42.0, rows.get(0).value());
    assertEquals("m2", rows.get(1).metric());
    assertEquals(7.0, rows.get(1).value());
  }

  @Test
  void quotedFieldMayHoldANewline() throws IOException {
    String csv = "metric_name,uuid,value,labels_raw\n" + "m,GPU-1,1,\"a=1,\nb=2\"\n" + "m,GPU-2,2,x\n";
    List<Sample> rows = read(csv, false);
    assertEquals(List.of("GPU-1", "GPU-2"), rows.stream().map(s -> s.gpu().uuid()).toList());
  }

  @Test
  void timestampsWithOffsetsAndFractionsBecomeUtcInstants() throws IOException {
    String csv = "timestamp,metric_name,uuid,value\n"
        + "2025-07-18T22:42:34.5+02:00,m,GPU-1,1\n"
        + "2025-07-18T20:42:34.123456Z,m,GPU-2,1\n"
        + "2025-07-18T15:42:34-05:00,m,GPU-3,1\n";
    List<Sample> rows = read(csv, true);
    assertEquals(micros("2025-07-18T20:42:34.500Z"), rows.get(0).timestampMicros());
    assertEquals(micros("2025-07-18T20:42:34.123456Z"), rows.get(1).timestampMicros());
    assertEquals(micros("2025-07-18T20:42:34Z"), rows.get(2).timestampMicros());
  }

  @Test
  void rejectsRowWithNonFiniteValueAndKeepsGoing() throws IOException {
    String csv = "metric_name,uuid,value\n" + "m,GPU-1,NaN\n" + "m,GPU-1,Infinity\n" + "m,GPU-1,-Infinity\n" + "m,GPU-2,3\n";
    List<Sample> rows = read(csv, false);
    assertEquals(1, rows.size());
    assertEquals("GPU-2", rows.get(0).gpu().uuid());
    assertEquals(3, rejects.count(RejectReason.NON_FINITE_VALUE));
  }

  @Test
  void rejectsEachKindOfBadRowWithItsReasonAndKeepsGoing() throws IOException {
    String csv = "timestamp,metric_name,uuid,value\n"
        + "2025-07-18T20:42:34Z,m,,1\n"              // missing uuid
        + "2025-07-18T20:42:34Z,,GPU-1,1\n"          // missing metric
        + "2025-07-18T20:42:34Z,m,GPU-1,abc\n"       // bad value
        + "2025-07-18T20:42:34Z,m,GPU-1,\n"          // empty value
        + "yesterday,m,GPU-1,1\n"                    // bad timestamp
        + "2025-07-18T20:42:34Z,m\n"                 // too few fields
        + "2025-07-18T20:42:34Z,m,GPU-ok,1\n";
    List<Sample> rows = read(csv, true);
    assertEquals(1, rows.size());
    assertEquals("GPU-ok", rows.get(0).gpu().uuid());
    assertEquals(1, rejects.count(RejectReason.MISSING_UUID));
    assertEquals(1, rejects.count(RejectReason.MISSING_METRIC));
    assertEquals(2, rejects.count(RejectReason.BAD_VALUE));
    assertEquals(1, rejects.count(RejectReason.BAD_TIMESTAMP));
    assertEquals(1, rejects.count(RejectReason.TOO_FEW_FIELDS));
    assertEquals(6, rejects.total());
  }

  @Test
  void processingModeToleratesMissingOrBadTimestamps() throws IOException {
    String csv = "timestamp,metric_name,uuid,value\n" + "garbage,m,GPU-1,1\n" + ",m,GPU-1,2\n";
    assertEquals(2, read(csv, false).size());
    assertEquals(0, rejects.total());
    Sample noTimestampColumn = read("metric_name,uuid,value\nm,GPU-1,1\n", false).get(0);
    assertEquals(0, noTimestampColumn.timestampMicros());
  }

  @Test
  void missingRequiredColumnIsAFormatErrorNamingIt() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> read("timestamp,metric_name,value\n2025-07-18T20:42:34Z,m,1\n", true));
    assertTrue(e.getMessage().contains("uuid"), e.getMessage());
    CsvFormatException ts = assertThrows(CsvFormatException.class, () -> read("metric_name,uuid,value\nm,g,1\n", true));
    assertTrue(ts.getMessage().contains("timestamp"), ts.getMessage());
    assertThrows(CsvFormatException.class, () -> read("", false));
  }

  @Test
  void acceptsMigUuidsAndAnyMetricName() throws IOException {
    String csv = "metric_name,uuid,value\n" + "MY_CUSTOM_METRIC,MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0,12\n";
    Sample s = read(csv, false).get(0);
    assertEquals("MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0", s.gpu().uuid());
    assertEquals("MY_CUSTOM_METRIC", s.metric());
  }

  @Test
  void rowsOfOneGpuShareOneGpuInstanceAndInternedStrings() throws IOException {
    String csv = "metric_name,uuid,value,Hostname\n" + "a,GPU-1,1,h\n" + "b,GPU-1,2,h\n" + "a,GPU-1,3,h\n";
    List<Sample> rows = read(csv, false);
    assertSame(rows.get(0).gpu(), rows.get(1).gpu());
    assertSame(rows.get(0).metric(), rows.get(2).metric());
  }

  @Test
  void rejectLogIsRateLimitedPerReason() {
    AtomicLong now = new AtomicLong();
    RejectCounter counter = new RejectCounter(Duration.ofSeconds(10), now::get);
    for (int i = 0; i < 100; i++) {
      counter.record(RejectReason.BAD_VALUE, i, "x");
    }
    counter.record(RejectReason.MISSING_UUID, 1, "y");
    assertEquals(1, counter.logged(RejectReason.BAD_VALUE));
    assertEquals(1, counter.logged(RejectReason.MISSING_UUID));
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    counter.record(RejectReason.BAD_VALUE, 200, "x");
    assertEquals(2, counter.logged(RejectReason.BAD_VALUE));
    assertEquals(101, counter.count(RejectReason.BAD_VALUE));
  }

  @Test
  void bundledRealSampleHasEveryRowAndNoRejects() throws IOException {
    Map<String, Integer> perGpu = new HashMap<>();
    Set<String> hosts = new HashSet<>();
    Set<String> metrics = new HashSet<>();
    int n = 0;
    try (DcgmCsvReader r = DcgmCsvReader.openBundledSample(true, rejects)) {
      for (Sample s = r.next(); s != null; s = r.next()) {
        n++;
        perGpu.merge(s.gpu().uuid(), 1, Integer::sum);
        hosts.add(s.gpu().hostname());
        metrics.add(s.metric());
      }
    }
    assertEquals(2470, n);
    assertEquals(0, rejects.total());
    assertEquals(247, perGpu.size());
    assertEquals(31, hosts.size());
    assertEquals(10, metrics.size());
    assertTrue(perGpu.values().stream().allMatch(c -> c == 10));
  }
}
