package org.gputelemetry.pipeline.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.junit.jupiter.api.Test;

class FleetCsvWriterTest {

  private static final Pattern LABEL_NAME = Pattern.compile("(?:^|,)([A-Za-z_][A-Za-z0-9_]*)=\"\"");

  @Test
  void theStreamersReaderReadsBackTheSamplesTheFleetProduced() {
    FleetConfig config = FleetConfig.of(20).withGpusPerHost(4).withMetrics(List.of(DcgmMetric.values()));
    List<Sample> produced = new ArrayList<>();
    FleetSimulator reference = FleetSimulator.of(config);
    for (int t = 0; t < 40; t++) {
      reference.tick(produced::add);
    }
    StringWriter csv = new StringWriter();
    long written = DcgmCsvWriter.write(FleetSimulator.of(config), 40, csv);

    RejectCounter rejects = new RejectCounter();
    List<Sample> read = DcgmCsvReader.readAll(new StringReader(csv.toString()), true, rejects);

    assertEquals(0, rejects.total(), "no row rejected");
    assertEquals(produced.size(), written);
    assertEquals(produced, read, "same GPUs, metrics, timestamps and values");
  }

  @Test
  void rowsHaveTheBundledSamplesShape() throws IOException {
    List<String> sample = bundledSampleLines(2);
    StringWriter csv = new StringWriter();
    DcgmCsvWriter.write(FleetSimulator.of(FleetConfig.of(2)), 1, csv);
    String[] lines = csv.toString().split("\n");

    assertEquals(sample.get(0), lines[0], "the sample's header");
    assertEquals(1 + 2 * 10, lines.length);
    String row = lines[1];
    assertTrue(row.startsWith("\"2025-07-18T20:42:34Z\",\"DCGM_FI_DEV_GPU_UTIL\",\"0\",\"nvidia0\",\"GPU-"), row);
    assertTrue(row.contains("\",\"NVIDIA H100 80GB HBM3\",\"sim-dgx-001\",\"\",\"\",\"\",\""), row);
    assertEquals(fieldCount(sample.get(1)), fieldCount(row), "twelve quoted fields");
    TreeSet<String> expectedLabels = labelNames(sample.get(1));
    expectedLabels.add("pci_bus_id");
    assertEquals(expectedLabels, labelNames(row), "the sample's labels_raw names, plus pci_bus_id");
    assertTrue(row.endsWith(",pci_bus_id=\"\"00000000:18:00.0\"\"\""), row);
    assertTrue(row.contains("__name__=\"\"DCGM_FI_DEV_GPU_UTIL\"\""), row);
  }

  @Test
  void fractionalAndLargeValuesPrintPlainly() {
    assertEquals("156.596", ValueText.append(new StringBuilder(), 156.596).toString());
    assertEquals("97", ValueText.append(new StringBuilder(), 97.0).toString());
    assertEquals("780306000000", ValueText.append(new StringBuilder(), 7.80306e11).toString());
    assertEquals("0.001", ValueText.append(new StringBuilder(), 0.001).toString());
    assertEquals("1752871354", ValueText.appendSeconds(new StringBuilder(), 1_752_871_354_000_000L).toString());
    assertEquals("1752871354.25", ValueText.appendSeconds(new StringBuilder(), 1_752_871_354_250_000L).toString());
    assertEquals("1752871354.000001", ValueText.appendSeconds(new StringBuilder(), 1_752_871_354_000_001L).toString());
  }

  private static List<String> bundledSampleLines(int n) throws IOException {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        FleetCsvWriterTest.class.getResourceAsStream(DcgmCsvReader.BUNDLED_SAMPLE), StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        lines.add(in.readLine());
      }
      return lines;
    }
  }

  /** Fields of a row whose every field is quoted: separators outside quotes. */
  private static int fieldCount(String row) {
    int fields = 1;
    boolean quoted = false;
    for (int i = 0; i < row.length(); i++) {
      char c = row.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields++;
      }
    }
    return fields;
  }

  private static TreeSet<String> labelNames(String row) {
    String labels = row.substring(row.lastIndexOf(",\"") + 2);
    TreeSet<String> names = new TreeSet<>();
    Matcher m = LABEL_NAME.matcher(labels);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
