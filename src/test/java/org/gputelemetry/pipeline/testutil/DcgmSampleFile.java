package org.gputelemetry.pipeline.testutil;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * The bundled DCGM sample (2,470 rows, 247 GPUs on 31 hosts, 10 metrics) as samples with its own
 * timestamps, the way the streamer's {@code source} timestamp mode sends them. A test's own minimal
 * reader, independent of the streamer's parser; empty placement fields become {@code null}. Its
 * counts are named here, once, for the tests that expect them ({@code DcgmSampleFileTest} holds
 * them to the file).
 */
public final class DcgmSampleFile {

  public static final String RESOURCE = "sample/dcgm_metrics_20250718_134233.csv";
  /** Rows of the file: one sample each. */
  public static final int ROWS = 2470;
  /** Distinct GPUs (uuids). */
  public static final int GPUS = 247;
  /** Distinct hosts (Hostname). */
  public static final int HOSTS = 31;
  /** Distinct metric names. */
  public static final int METRICS = 10;
  /** Rows of each GPU: one per metric, all at one scrape. */
  public static final int SAMPLES_PER_GPU = 10;

  private DcgmSampleFile() {
  }

  public static List<Sample> samples() {
    Map<String, Gpu> gpus = new HashMap<>();
    List<Sample> out = new ArrayList<>(ROWS);
    try (Reader in = new InputStreamReader(DcgmSampleFile.class.getClassLoader().getResourceAsStream(RESOURCE),
        StandardCharsets.UTF_8); CsvReader<NamedCsvRecord> csv = CsvReader.builder().ofNamedCsvRecord(in)) {
      for (NamedCsvRecord r : csv) {
        Gpu gpu = gpus.computeIfAbsent(r.getField("uuid"), uuid -> new Gpu(uuid,
            Integer.parseInt(r.getField("gpu_id")), r.getField("device"), r.getField("modelName"),
            r.getField("Hostname")));
        out.add(new Sample(gpu, r.getField("metric_name"), Timestamps.parseMicros(r.getField("timestamp")),
            Double.parseDouble(r.getField("value")), blankToNull(r.getField("container")),
            blankToNull(r.getField("pod")), blankToNull(r.getField("namespace"))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
