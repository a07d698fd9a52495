package org.gputelemetry.pipeline.testutil;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bundled real DCGM sample, read independently of the product's parser, so tests can compute
 * what the pipeline should return without trusting the code under test.
 */
public final class SampleCsv {

  public static final String RESOURCE = "/sample/dcgm_metrics_20250718_134233.csv";

  /** One row as the file has it. */
  public record Row(String timestamp, String metric, String gpuId, String uuid, String hostname, double value) {
    public Instant instant() {
      return Instant.parse(timestamp);
    }
  }

  private SampleCsv() {
  }

  public static List<Row> rows() {
    try (InputStream in = SampleCsv.class.getResourceAsStream(RESOURCE);
         CsvReader<NamedCsvRecord> csv = CsvReader.builder().ofNamedCsvRecord(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<Row> rows = new ArrayList<>();
      for (NamedCsvRecord r : csv) {
        rows.add(new Row(r.getField("timestamp"), r.getField("metric_name"), r.getField("gpu_id"), r.getField("uuid"),
            r.getField("Hostname"), Double.parseDouble(r.getField("value"))));
      }
      return rows;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Rows grouped by GPU uuid, in file order. */
  public static Map<String, List<Row>> byGpu() {
    Map<String, List<Row>> out = new TreeMap<>();
    for (Row r : rows()) {
      out.computeIfAbsent(r.uuid(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }
}
