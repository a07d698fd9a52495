package org.gputelemetry.pipeline.ingest.csv;

import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.HEADER;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.lines;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.open;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.readAll;
import static org.gputelemetry.pipeline.ingest.csv.DcgmCsvText.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How rows and their text become samples: layout, quoting, whitespace, identity. */
class DcgmCsvReaderTest {

  private static final String UUID = "GPU-5fd4f087-86f3-7a43-b711-4771313afc50";

  @Test
  void readsEveryFieldOfAnExporterRow() {
    String csv = lines(HEADER,
        "\"2025-07-18T20:42:34Z\",\"DCGM_FI_DEV_GPU_TEMP\",\"3\",\"nvidia3\",\"" + UUID + "\","
            + "\"NVIDIA H100 80GB HBM3\",\"mtv5-dgx1-hgpu-031\",\"trainer\",\"job-7\",\"ml\",\"41.5\","
            + "\"job=\"\"x\"\"\"");

    Sample sample = readAll(csv).get(0);

    assertEquals(new Gpu(UUID, 3, "nvidia3", "NVIDIA H100 80GB HBM3", "mtv5-dgx1-hgpu-031"), sample.gpu());
    assertEquals("DCGM_FI_DEV_GPU_TEMP", sample.metric());
    assertEquals(41.5, sample.value());
    assertEquals(1_752_871_354_000_000L, sample.timestampMicros());
    assertEquals("trainer", sample.container());
    assertEquals("job-7", sample.pod());
    assertEquals("ml", sample.namespace());
  }

  @Test
  void readsColumnsInAnyOrder() {
    String csv = lines("value,Hostname,uuid,timestamp,metric_name,gpu_id",
        "7,host-9,GPU-1,2025-07-18T20:42:34Z,DCGM_FI_DEV_SM_CLOCK,5");

    Sample sample = readAll(csv, true, new RejectCounter()).get(0);

    assertEquals(7.0, sample.value());
    assertEquals("host-9", sample.gpu().hostname());
    assertEquals("GPU-1", sample.gpu().uuid());
    assertEquals("DCGM_FI_DEV_SM_CLOCK", sample.metric());
    assertEquals(5, sample.gpu().gpuIndex());
    assertEquals(1_752_871_354_000_000L, sample.timestampMicros());
  }

  @Test
  void ignoresUnknownColumns() {
    String csv = lines("exporter_version,uuid,shard,metric_name,value,zone",
        "3.3.5,GPU-1,\"a,b\",DCGM_FI_DEV_GPU_UTIL,12,eu-west");

    Sample sample = readAll(csv).get(0);

    assertEquals("GPU-1", sample.gpu().uuid());
    assertEquals(12.0, sample.value());
  }

  @Test
  void acceptsLowercaseHostnameColumn() {
    String csv = lines("uuid,metric_name,value,hostname", "GPU-1,m,1,node-a");

    assertEquals("node-a", readAll(csv).get(0).gpu().hostname());
  }

  @Test
  void prefersCapitalisedHostnameWhenBothArePresent() {
    String csv = lines("uuid,metric_name,value,hostname,Hostname", "GPU-1,m,1,lower,upper");

    assertEquals("upper", readAll(csv).get(0).gpu().hostname());
  }

  @Test
  void absentOptionalColumnsGiveEmptyDescriptionAndNoGpuIndex() {
    Sample sample = readAll(lines("uuid,metric_name,value", "GPU-1,m,1")).get(0);

    assertEquals(new Gpu("GPU-1", -1, null, null, null), sample.gpu());
    assertNull(sample.container());
    assertNull(sample.pod());
    assertNull(sample.namespace());
    assertEquals(0, sample.timestampMicros());
  }

  @Test
  void dropsUtf8ByteOrderMarkEvenBeforeAQuotedHeaderCell() {
    String csv = "\uFEFF" + lines("\"uuid\",\"metric_name\",\"value\"", "\"GPU-1\",\"m\",\"3\"");
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, false, rejects);

    assertEquals(1, samples.size());
    assertEquals("GPU-1", samples.get(0).gpu().uuid());
    assertEquals(0, rejects.total());
  }

  @Test
  void dropsByteOrderMarkOfAFileReadFromDisk(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bom.csv");
    Files.writeString(file, "\uFEFF" + lines("uuid,metric_name,value", "GPU-1,m,3"), StandardCharsets.UTF_8);

    List<Sample> samples = DcgmCsvReader.readAll(file, false, new RejectCounter());

    assertEquals(3.0, samples.get(0).value());
  }

  @Test
  void readsCrlfLineEndings() {
    String csv = String.join("\r\n", HEADER, row("GPU-1", "1"), row("GPU-2", "2"), "");
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    assertEquals(List.of("GPU-1", "GPU-2"), samples.stream().map(s -> s.gpu().uuid()).toList());
    assertEquals(List.of(1.0, 2.0), samples.stream().map(Sample::value).toList());
    assertEquals(0, rejects.total());
  }

  @Test
  void skipsBlankAndWhitespaceOnlyLinesWithoutCountingThem() {
    String csv = "\n\n" + HEADER + "\r\n\r\n" + row("GPU-1", "1") + "\n   \n\t\n" + row("GPU-2", "2") + "\n\n";
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readAll(csv, true, rejects);

    assertEquals(2, samples.size());
    assertEquals(0, rejects.total());
  }

  @Test
  void trimsWhitespaceAroundValuesInsideAndOutsideQuotes() {
    String csv = lines("uuid,metric_name,value,pod,gpu_id",
        "\" GPU-1 \",  DCGM_FI_DEV_FB_USED\t, \" 42.5 \" , \"pod-a\" ,  2  ");
    RejectCounter rejects = new RejectCounter();

    Sample sample = readAll(csv, false, rejects).get(0);

    assertEquals("GPU-1", sample.gpu().uuid());
    assertEquals("DCGM_FI_DEV_FB_USED", sample.metric());
    assertEquals(42.5, sample.value());
    assertEquals("pod-a", sample.pod());
    assertEquals(2, sample.gpu().gpuIndex());
    assertEquals(0, rejects.total());
  }

  @Test
  void keepsQuotedCommasAndDoubledQuotesInOneField() {
    // labels_raw sits before value: a split at its commas would shift value and be rejected.
    String csv = lines("uuid,metric_name,labels_raw,value,pod",
        "\"GPU-1\",\"m\",\"a=\"\"1,2\"\",b=\"\"x\"\"\"\"y\"\",c\",\"9\",\"p\"");
    RejectCounter rejects = new RejectCounter();

    Sample sample = readAll(csv, false, rejects).get(0);

    assertEquals(9.0, sample.value());
    assertEquals("p", sample.pod());
    assertEquals(0, rejects.total());
  }

  @Test
  void quotedNewlineCostsOnlyTheLinesOfThatRow() {
    // DCGM never writes a newline inside a field: a record is one line, so the open quote costs
    // line 2 and the two continuation lines are rows too short to use.
    String csv = lines("uuid,metric_name,labels_raw,value",
        "GPU-1,m,\"first line\nsecond line\r\nthird\",5",
        "GPU-2,m,plain,6");
    RejectCounter rejects = new RejectCounter();

    try (DcgmCsvReader reader = open(csv, false, rejects)) {
      assertEquals(6.0, reader.next().value());
      assertEquals(5, reader.lineNumber());
      assertNull(reader.next());
    }
    assertEquals(1, rejects.count(RejectReason.UNTERMINATED_QUOTE));
    assertEquals(2, rejects.count(RejectReason.TOO_FEW_FIELDS));
    assertEquals(3, rejects.total());
  }

  @Test
  void acceptsMigInstanceUuid() {
    String mig = "MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0";

    Sample sample = readAll(lines(HEADER, row(mig, "3"))).get(0);

    assertEquals(mig, sample.gpu().uuid());
  }

  @Test
  void acceptsAnyMetricName() {
    String csv = lines("uuid,metric_name,value",
        "GPU-1,DCGM_FI_PROF_PIPE_TENSOR_ACTIVE,0.25", "GPU-1,my.custom-metric,1");

    List<String> metrics = readAll(csv).stream().map(Sample::metric).toList();

    assertEquals(List.of("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "my.custom-metric"), metrics);
  }

  @Test
  void sharesOneGpuInstancePerUuidDescribedByItsFirstRow() {
    String csv = lines(HEADER,
        DcgmCsvText.row("2025-07-18T20:42:34Z", "A", "0", "GPU-1", "host-1", "1"),
        DcgmCsvText.row("2025-07-18T20:42:34Z", "B", "0", "GPU-2", "host-1", "2"),
        DcgmCsvText.row("2025-07-18T20:42:35Z", "C", "7", "GPU-1", "host-moved", "3"));

    List<Sample> samples = readAll(csv);

    assertSame(samples.get(0).gpu(), samples.get(2).gpu());
    assertEquals("host-1", samples.get(2).gpu().hostname());
    assertEquals(0, samples.get(2).gpu().gpuIndex());
    assertEquals("GPU-2", samples.get(1).gpu().uuid());
  }

  @Test
  void unparsableGpuIdBecomesMinusOneWithoutRejectingTheRow() {
    String csv = lines("uuid,metric_name,value,gpu_id", "GPU-1,m,1,", "GPU-2,m,1,zero", "GPU-3,m,1,4");
    RejectCounter rejects = new RejectCounter();

    List<Integer> indexes = readAll(csv, false, rejects).stream().map(s -> s.gpu().gpuIndex()).toList();

    assertEquals(List.of(-1, -1, 4), indexes);
    assertEquals(0, rejects.total());
  }

  @Test
  void emptyContainerPodAndNamespaceAreNull() {
    Sample sample = readAll(lines(HEADER, row("GPU-1", "1"))).get(0);

    assertNull(sample.container());
    assertNull(sample.pod());
    assertNull(sample.namespace());
  }

  @Test
  void repeatedNamesShareOneStringInstance() {
    String csv = lines("uuid,metric_name,value,container,pod,namespace",
        "GPU-1,DCGM_FI_DEV_GPU_UTIL,1,c,p,n", "GPU-2,DCGM_FI_DEV_GPU_UTIL,2,c,p,n");

    List<Sample> samples = readAll(csv);

    Sample first = samples.get(0);
    Sample second = samples.get(1);
    assertSame(first.metric(), second.metric());
    assertSame(first.container(), second.container());
    assertSame(first.pod(), second.pod());
    assertSame(first.namespace(), second.namespace());
  }

  @Test
  void keepsReadingAFileWithAnInvalidUtf8Byte(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(lines("uuid,metric_name,value,pod", "GPU-1,m,1,p").getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {'G', 'P', 'U', '-', '2', ',', 'm', ',', '2', ',', (byte) 0xC3, '\n'});
    bytes.writeBytes(lines("GPU-3,m,3,p").getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve("bad-byte.csv");
    Files.write(file, bytes.toByteArray());

    List<Sample> samples = DcgmCsvReader.readAll(file, false, new RejectCounter());

    assertEquals(List.of(1.0, 2.0, 3.0), samples.stream().map(Sample::value).toList());
  }

  @Test
  void nextKeepsReturningNullAtTheEnd() {
    try (DcgmCsvReader reader = open(lines(HEADER, row("GPU-1", "1")), false, new RejectCounter())) {
      assertNotNull(reader.next());
      assertNull(reader.next());
      assertNull(reader.next());
    }
  }
}
