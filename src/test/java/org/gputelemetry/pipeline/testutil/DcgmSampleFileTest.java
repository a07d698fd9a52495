package org.gputelemetry.pipeline.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

/** The sample's named counts are the file's, read by both of the tests' readers. */
class DcgmSampleFileTest {

  @Test
  void namedCountsAreTheBundledFilesCounts() {
    List<SampleCsv.Row> rows = SampleCsv.rows();

    assertEquals(DcgmSampleFile.ROWS, rows.size(), "rows");
    assertEquals(DcgmSampleFile.GPUS, rows.stream().map(SampleCsv.Row::uuid).distinct().count(), "GPUs");
    assertEquals(DcgmSampleFile.HOSTS, rows.stream().map(SampleCsv.Row::hostname).distinct().count(), "hosts");
    assertEquals(DcgmSampleFile.METRICS, rows.stream().map(SampleCsv.Row::metric).distinct().count(), "metrics");
    Map<Integer, Long> gpusBySampleCount = SampleCsv.byGpu().values().stream()
        .collect(Collectors.groupingBy(List::size, Collectors.counting()));
    assertEquals(Map.of(DcgmSampleFile.SAMPLES_PER_GPU, (long) DcgmSampleFile.GPUS), gpusBySampleCount,
        "samples per GPU");
  }

  @Test
  void bothReadersSeeTheSameRows() {
    List<Sample> samples = DcgmSampleFile.samples();

    assertEquals(DcgmSampleFile.ROWS, samples.size());
    assertEquals(DcgmSampleFile.GPUS, samples.stream().map(s -> s.gpu().uuid()).distinct().count());
    assertEquals(DcgmSampleFile.HOSTS, samples.stream().map(s -> s.gpu().hostname()).distinct().count());
  }
}
