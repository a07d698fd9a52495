package org.gputelemetry.pipeline.simulate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes a simulated fleet as OpenMetrics text for {@code promtool tsdb create-blocks-from
 * openmetrics}: one family per metric ({@code # HELP}, {@code # TYPE}), each series' samples
 * together and in time order, {@code name{labels} value timestamp} with the timestamp in seconds,
 * and {@code # EOF} at the end. The labels are those dcgm-exporter and Prometheus give a series
 * ({@code UUID}, {@code gpu}, {@code device}, {@code modelName}, {@code Hostname},
 * {@code DCGM_FI_DRIVER_VERSION}, {@code pci_bus_id}, {@code instance}, {@code job}), so the blocks
 * hold what a Prometheus scraping the fleet would hold.
 *
 * <p>OpenMetrics wants every family contiguous, but the simulator produces time by time. Since a
 * GPU's values depend on nothing but the seed, its index and the interval, each series is
 * simulated on its own for the whole span, once per metric: memory stays one GPU's state
 * whatever the size, at the price of simulating each GPU once per metric.
 *
 * <p>Counters ({@link DcgmMetric.Kind#COUNTER}) are typed {@code unknown}: OpenMetrics requires a
 * counter's samples to be named {@code <family>_total}, and the series must keep the DCGM name
 * the pipeline stores, so that the two stores hold the same series.
 */
public final class OpenMetricsWriter {

  private OpenMetricsWriter() {
  }

  /**
   * Writes {@code ticks} intervals of every GPU and metric of {@code config}, then flushes.
   *
   * @return the number of samples written
   */
  public static long write(FleetConfig config, long ticks, Writer out) {
    StringBuilder line = new StringBuilder(512);
    char[] chars = new char[1024];
    try {
      for (DcgmMetric metric : config.metrics()) {
        out.write("# HELP " + metric.dcgmName() + " " + metric.help() + "\n");
        out.write("# TYPE " + metric.dcgmName() + " "
            + (metric.kind() == DcgmMetric.Kind.COUNTER ? "unknown" : "gauge") + "\n");
        for (int g = 0; g < config.gpus(); g++) {
          String series = seriesText(metric, SimulatedGpu.of(config, g));
          GpuSimulator gpu = new GpuSimulator(config, g);
          for (long t = 0; t < ticks; t++) {
            gpu.step();
            line.setLength(0);
            line.append(series);
            ValueText.append(line, gpu.value(metric)).append(' ');
            ValueText.appendSeconds(line, config.startMicros() + t * config.intervalMicros()).append('\n');
            int length = line.length();
            if (chars.length < length) {
              chars = new char[length * 2];
            }
            line.getChars(0, length, chars, 0);
            out.write(chars, 0, length);
          }
        }
      }
      out.write("# EOF\n");
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ticks * config.samplesPerTick();
  }

  /** {@code name{labels} } with the labels sorted by name, as Prometheus keeps them. */
  static String seriesText(DcgmMetric metric, SimulatedGpu g) {
    var gpu = g.gpu();
    return metric.dcgmName() + "{DCGM_FI_DRIVER_VERSION=\"" + g.driverVersion() + "\",Hostname=\"" + gpu.hostname()
        + "\",UUID=\"" + gpu.uuid() + "\",device=\"" + gpu.device() + "\",gpu=\"" + gpu.gpuIndex()
        + "\",instance=\"" + g.instance() + "\",job=\"" + DcgmCsvWriter.JOB + "\",modelName=\"" + gpu.modelName()
        + "\",pci_bus_id=\"" + g.pciBusId() + "\"} ";
  }
}
