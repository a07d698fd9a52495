package org.gputelemetry.pipeline.ingest.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

/**
 * The real DCGM dump shipped with the application. Its shape is a given fact: 2,470 rows,
 * 247 GPUs on 31 hosts, 10 metrics, 10 rows per GPU.
 */
class DcgmCsvBundledSampleTest {

  @Test
  void bundledSampleYieldsEveryRowWithoutRejects() {
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readBundled(false, rejects);

    assertEquals(2470, samples.size());
    assertEquals(0, rejects.total());
    assertEquals(247, distinct(samples, s -> s.gpu().uuid()).size());
    assertEquals(31, distinct(samples, s -> s.gpu().hostname()).size());
    assertEquals(10, distinct(samples, Sample::metric).size());
    Map<String, Long> perGpu = samples.stream()
        .collect(Collectors.groupingBy(s -> s.gpu().uuid(), Collectors.counting()));
    assertEquals(Set.of(10L), Set.copyOf(perGpu.values()));
  }

  @Test
  void bundledSampleHasValidSourceTimestamps() {
    RejectCounter rejects = new RejectCounter();

    List<Sample> samples = readBundled(true, rejects);

    assertEquals(2470, samples.size());
    assertEquals(0, rejects.total());
  }

  @Test
  void bundledSampleHasOneGpuInstancePerUuid() {
    Map<String, Gpu> first = new HashMap<>();
    for (Sample sample : readBundled(false, new RejectCounter())) {
      assertSame(first.computeIfAbsent(sample.gpu().uuid(), uuid -> sample.gpu()), sample.gpu());
    }
  }

  @Test
  void bundledSampleMatchesAPlainSplitOfEachLine() throws IOException {
    // In this file the first 11 fields are quoted and hold no comma or quote, so splitting on
    // "," gives them without a CSV parser: an expectation independent of the reader.
    List<String[]> expected = plainSplitOfBundledSample();

    List<Sample> samples = readBundled(true, new RejectCounter());

    assertEquals(expected.size(), samples.size());
    for (int i = 0; i < samples.size(); i++) {
      String[] f = expected.get(i);
      Sample sample = samples.get(i);
      String where = "data row " + (i + 1);
      assertEquals(Instant.parse(f[0]), Instant.EPOCH.plusNanos(sample.timestampMicros() * 1_000L), where);
      assertEquals(f[1], sample.metric(), where);
      assertEquals(Integer.parseInt(f[2]), sample.gpu().gpuIndex(), where);
      assertEquals(f[3], sample.gpu().device(), where);
      assertEquals(f[4], sample.gpu().uuid(), where);
      assertEquals(f[5], sample.gpu().modelName(), where);
      assertEquals(f[6], sample.gpu().hostname(), where);
      assertEquals(new BigDecimalText(f[10]).value(), sample.value(), where);
    }
  }

  @Test
  void fileOnDiskReadsLikeTheClasspathCopy() throws IOException {
    Path file = Path.of("src/main/resources/sample/dcgm_metrics_20250718_134233.csv");

    List<Sample> fromDisk = DcgmCsvReader.readAll(file, true, new RejectCounter());

    assertEquals(readBundled(true, new RejectCounter()), fromDisk);
  }

  private static List<Sample> readBundled(boolean sourceTimestamps, RejectCounter rejects) {
    List<Sample> samples = new ArrayList<>();
    try (DcgmCsvReader reader = DcgmCsvReader.openBundledSample(sourceTimestamps, rejects)) {
      Sample sample;
      while ((sample = reader.next()) != null) {
        samples.add(sample);
      }
    }
    return samples;
  }

  private static <T> Set<T> distinct(List<Sample> samples, java.util.function.Function<Sample, T> key) {
    return samples.stream().map(key).collect(Collectors.toSet());
  }

  private static List<String[]> plainSplitOfBundledSample() throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        DcgmCsvBundledSampleTest.class.getResourceAsStream(DcgmCsvReader.BUNDLED_SAMPLE), StandardCharsets.UTF_8))) {
      lines.readLine();
      String line;
      while ((line = lines.readLine()) != null) {
        rows.add(line.substring(1).split("\",\"", 12));
      }
    }
    return rows;
  }

  /** The number a decimal text denotes, via BigDecimal rather than Double.parseDouble. */
  private record BigDecimalText(String text) {
    double value() {
      return new java.math.BigDecimal(text).doubleValue();
    }
  }
}
