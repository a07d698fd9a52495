package org.gputelemetry.pipeline.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetOpenMetricsWriterTest {

  private static final Pattern SAMPLE_LINE = Pattern.compile("([A-Z_]+)\\{([^}]*)\\} (\\S+) (\\S+)");
  private static final Pattern UUID_LABEL = Pattern.compile("UUID=\"([^\"]+)\"");

  @Test
  void familiesAreContiguousSeriesInTimeOrderAndValuesAreTheFleets() {
    FleetConfig config = FleetConfig.of(12).withMetrics(List.of(DcgmMetric.values()))
        .withInterval(java.time.Duration.ofMillis(500));
    StringWriter text = new StringWriter();
    long written = OpenMetricsWriter.write(config, 30, text);
    Map<String, Double> expected = new HashMap<>();
    FleetSimulator fleet = FleetSimulator.of(config);
    for (int t = 0; t < 30; t++) {
      fleet.tick((Sample s) -> expected.put(key(s.metric(), s.gpu().uuid(), s.timestampMicros()), s.value()));
    }

    String[] lines = text.toString().split("\n", -1);
    assertEquals("# EOF", lines[lines.length - 2]);
    assertEquals("", lines[lines.length - 1], "ends with a newline");
    Set<String> familiesDone = new HashSet<>();
    String family = null;
    String series = null;
    double lastSeconds = Double.NEGATIVE_INFINITY;
    Set<String> seriesDone = new HashSet<>();
    int samples = 0;
    for (String line : Arrays.copyOf(lines, lines.length - 2)) {
      if (line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertTrue(familiesDone.add(parts[2]), "family declared twice: " + parts[2]);
        assertTrue(parts[3].equals("gauge") || parts[3].equals("unknown"), line);
        family = parts[2];
        continue;
      }
      Matcher m = SAMPLE_LINE.matcher(line);
      assertTrue(m.matches(), "not a sample line: " + line);
      assertEquals(family, m.group(1), "a sample outside its family");
      String labels = m.group(2);
      if (!labels.equals(series)) {
        assertTrue(seriesDone.add(family + labels), "series split: " + labels);
        series = labels;
        lastSeconds = Double.NEGATIVE_INFINITY;
      }
      double seconds = Double.parseDouble(m.group(4));
      assertTrue(seconds > lastSeconds, "timestamps increase within a series");
      lastSeconds = seconds;
      Matcher uuid = UUID_LABEL.matcher(labels);
      assertTrue(uuid.find(), labels);
      long micros = Math.round(seconds * 1e6);
      assertEquals(expected.get(key(family, uuid.group(1), micros)), Double.valueOf(m.group(3)), line);
      samples++;
    }
    assertEquals(expected.size(), samples);
    assertEquals(written, samples);
    assertEquals(20, familiesDone.size());
    assertTrue(text.toString().contains("# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"));
    assertTrue(text.toString().contains("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION unknown\n"));
    assertTrue(text.toString().contains(" 1752871354.5\n"), "sub-second timestamps in seconds");
  }

  @Test
  void promtoolBuildsBlocksHoldingEverySample(@TempDir Path dir) throws Exception {
    Optional<Path> promtool = onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool is not installed (Debian package prometheus): skipping");
    FleetConfig config = FleetConfig.of(16).withMetrics(List.of(DcgmMetric.values()));
    Path input = dir.resolve("fleet.om");
    long written;
    try (Writer out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      written = OpenMetricsWriter.write(config, 600, out);
    }

    Path log = dir.resolve("promtool.log");
    Process process = new ProcessBuilder(promtool.get().toString(), "tsdb", "create-blocks-from", "openmetrics",
        input.toString(), dir.resolve("data").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "promtool timed out");
    String output = Files.readString(log);

    assertEquals(0, process.exitValue(), output);
    assertFalse(output.toLowerCase().contains("error"), output);
    // the block table: ULID, min time, max time, duration, samples, chunks, series, size
    Matcher row = Pattern.compile("(?m)^\\S{26}\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+(\\d+)\\s+\\d+\\s+(\\d+)\\s+\\d+").matcher(output);
    long samples = 0;
    long series = 0;
    while (row.find()) {
      samples += Long.parseLong(row.group(3));
      series = Math.max(series, Long.parseLong(row.group(4)));
    }
    assertEquals(written, samples, output);
    assertEquals(16L * 20, series, output);
  }

  private static String key(String metric, String uuid, long micros) {
    return metric + "|" + uuid + "|" + micros;
  }

  private static Optional<Path> onPath(String tool) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
  }
}
