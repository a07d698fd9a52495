package org.gputelemetry.pipeline.ingest.csv;

import java.io.StringReader;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;

/** Hand-made CSV text for the reader tests: the sample's header and rows shaped like its rows. */
final class DcgmCsvText {

  static final String HEADER =
      "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw";

  private DcgmCsvText() {
  }

  /** A fully quoted row in the sample's column order, with a labels_raw like the exporter's. */
  static String row(String timestamp, String metric, String gpuId, String uuid, String hostname, String value) {
    String labels = "DCGM_FI_DRIVER_VERSION=\"\"535.129.03\"\",Hostname=\"\"" + hostname
        + "\"\",UUID=\"\"" + uuid + "\"\"";
    return String.join(",", quoted(timestamp), quoted(metric), quoted(gpuId), quoted("nvidia" + gpuId), quoted(uuid),
        quoted("NVIDIA H100 80GB HBM3"), quoted(hostname), quoted(""), quoted(""), quoted(""), quoted(value),
        quoted(labels));
  }

  /** A valid row of GPU {@code uuid} with the given value, on host-1 at 2025-07-18T20:42:34Z. */
  static String row(String uuid, String value) {
    return row("2025-07-18T20:42:34Z", "DCGM_FI_DEV_GPU_UTIL", "0", uuid, "host-1", value);
  }

  /** Lines joined with LF and a final LF. */
  static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  static List<Sample> readAll(String csv, boolean sourceTimestamps, RejectCounter rejects) {
    return DcgmCsvReader.readAll(new StringReader(csv), sourceTimestamps, rejects);
  }

  static List<Sample> readAll(String csv) {
    return readAll(csv, false, new RejectCounter());
  }

  static DcgmCsvReader open(String csv, boolean sourceTimestamps, RejectCounter rejects) {
    return DcgmCsvReader.open(new StringReader(csv), sourceTimestamps, rejects);
  }

  private static String quoted(String field) {
    return '"' + field + '"';
  }
}
