package org.gputelemetry.pipeline.ingest.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each known column sits in a DCGM CSV header; {@link #ABSENT} for a column the header
 * lacks. Names match case-sensitively, except {@code Hostname}, which is also accepted as
 * {@code hostname}. When a name appears twice, the first one counts. Unknown columns are ignored.
 * Immutable.
 */
final class ColumnLayout {

  static final int ABSENT = -1;

  final int timestamp;
  final int metric;
  final int gpuId;
  final int device;
  final int uuid;
  final int modelName;
  final int hostname;
  final int container;
  final int pod;
  final int namespace;
  final int value;
  /** A row needs at least this many fields to hold every required column. */
  final int requiredFieldCount;

  private ColumnLayout(List<String> header, boolean timestampRequired) {
    timestamp = header.indexOf("timestamp");
    metric = header.indexOf("metric_name");
    gpuId = header.indexOf("gpu_id");
    device = header.indexOf("device");
    uuid = header.indexOf("uuid");
    modelName = header.indexOf("modelName");
    int capitalised = header.indexOf("Hostname");
    hostname = capitalised != ABSENT ? capitalised : header.indexOf("hostname");
    container = header.indexOf("container");
    pod = header.indexOf("pod");
    namespace = header.indexOf("namespace");
    value = header.indexOf("value");

    List<String> missing = new ArrayList<>();
    requireColumn(metric, "metric_name", missing);
    requireColumn(uuid, "uuid", missing);
    requireColumn(value, "value", missing);
    if (timestampRequired) {
      requireColumn(timestamp, "timestamp", missing);
    }
    if (!missing.isEmpty()) {
      throw new CsvFormatException("missing required column(s) " + missing + " in header " + header);
    }
    int lastRequired = Math.max(metric, Math.max(uuid, value));
    requiredFieldCount = 1 + (timestampRequired ? Math.max(lastRequired, timestamp) : lastRequired);
  }

  /**
   * @param header the header cells, already trimmed and without a byte-order mark
   * @param timestampRequired whether {@code timestamp} is a required column (source mode)
   * @throws CsvFormatException naming every missing required column and the header found
   */
  static ColumnLayout of(List<String> header, boolean timestampRequired) {
    return new ColumnLayout(header, timestampRequired);
  }

  private static void requireColumn(int index, String name, List<String> missing) {
    if (index == ABSENT) {
      missing.add(name);
    }
  }
}
