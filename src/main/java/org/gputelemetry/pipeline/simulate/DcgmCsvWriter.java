package org.gputelemetry.pipeline.simulate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * Writes simulated values as a DCGM exporter CSV in the bundled sample's exact form: its header,
 * every field double-quoted, timestamps RFC 3339 UTC with {@code Z}, empty Kubernetes columns, and
 * {@code labels_raw} holding the exporter's label set (sorted by name, quotes doubled) with
 * {@code pci_bus_id} added as current exporters emit it. LF line ends. The streamer's CSV reader
 * reads it back in source mode sample for sample.
 *
 * <p>The per-GPU columns are built once per GPU; a row costs its value and a few appends.
 * Not thread-safe. Buffer the {@link Writer}; {@link #flush()} at the end.
 */
public final class DcgmCsvWriter implements FleetSimulator.ValueSink {

  /** The bundled sample's header row. */
  public static final String HEADER =
      "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw";
  /** The Prometheus job label the sample's rows carry. */
  static final String JOB = "dgx_dcgm_exporter";

  private final Writer out;
  private final StringBuilder row = new StringBuilder(640);
  private char[] chars = new char[640];
  private final Map<SimulatedGpu, String[]> columns = new IdentityHashMap<>();
  private SimulatedGpu lastGpu;
  private String[] lastColumns;
  private long lastMicros = Long.MIN_VALUE;
  private String lastTimestamp;

  public DcgmCsvWriter(Writer out) {
    this.out = out;
  }

  /** Writes {@code ticks} ticks of {@code simulator} (header included) and flushes. */
  public static long write(FleetSimulator simulator, long ticks, Writer out) {
    DcgmCsvWriter writer = new DcgmCsvWriter(out);
    writer.writeHeader();
    for (long t = 0; t < ticks; t++) {
      simulator.tickValues(writer);
    }
    writer.flush();
    return ticks * simulator.samplesPerTick();
  }

  public void writeHeader() {
    write(HEADER + "\n");
  }

  /** One row. */
  @Override
  public void accept(SimulatedGpu gpu, DcgmMetric metric, long timestampMicros, double value) {
    String[] parts = columnsOf(gpu);
    if (timestampMicros != lastMicros) {
      lastMicros = timestampMicros;
      lastTimestamp = '"' + Timestamps.format(timestampMicros) + "\",\"";
    }
    row.setLength(0);
    row.append(lastTimestamp).append(metric.dcgmName()).append(parts[0]);
    ValueText.append(row, value);
    row.append(parts[1]).append(metric.dcgmName()).append(parts[2]);
    write(row);
  }

  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The GPU's fixed text: after the metric up to the value, in labels_raw before the metric
   * name, and after it to the end of the line.
   */
  private String[] columnsOf(SimulatedGpu gpu) {
    if (gpu != lastGpu) {
      lastColumns = columns.computeIfAbsent(gpu, DcgmCsvWriter::buildColumns);
      lastGpu = gpu;
    }
    return lastColumns;
  }

  private static String[] buildColumns(SimulatedGpu g) {
    var gpu = g.gpu();
    String identity = "\",\"" + gpu.gpuIndex() + "\",\"" + gpu.device() + "\",\"" + gpu.uuid() + "\",\""
        + gpu.modelName() + "\",\"" + gpu.hostname() + "\",\"\",\"\",\"\",\"";
    String labelsHead = "\",\"DCGM_FI_DRIVER_VERSION=\"\"" + g.driverVersion() + "\"\",Hostname=\"\""
        + gpu.hostname() + "\"\",UUID=\"\"" + gpu.uuid() + "\"\",__name__=\"\"";
    String labelsTail = "\"\",device=\"\"" + gpu.device() + "\"\",gpu=\"\"" + gpu.gpuIndex()
        + "\"\",instance=\"\"" + g.instance() + "\"\",job=\"\"" + JOB + "\"\",modelName=\"\"" + gpu.modelName()
        + "\"\",pci_bus_id=\"\"" + g.pciBusId() + "\"\"\"\n";
    return new String[] {identity, labelsHead, labelsTail};
  }

  private void write(String text) {
    try {
      out.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(StringBuilder text) {
    int length = text.length();
    if (chars.length < length) {
      chars = new char[length * 2];
    }
    text.getChars(0, length, chars, 0);
    try {
      out.write(chars, 0, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
