package org.gputelemetry.pipeline.simulate;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The DCGM fields the simulator can produce, under the names dcgm-exporter gives them. The first
 * ten are the bundled sample's set (the default); the others are common dcgm-exporter fields,
 * which make up a 20-metric profile with them.
 */
public enum DcgmMetric {
  GPU_UTIL("DCGM_FI_DEV_GPU_UTIL", Kind.GAUGE, "GPU utilization (in %)."),
  MEM_COPY_UTIL("DCGM_FI_DEV_MEM_COPY_UTIL", Kind.GAUGE, "Memory utilization (in %)."),
  ENC_UTIL("DCGM_FI_DEV_ENC_UTIL", Kind.GAUGE, "Encoder utilization (in %)."),
  DEC_UTIL("DCGM_FI_DEV_DEC_UTIL", Kind.GAUGE, "Decoder utilization (in %)."),
  GPU_TEMP("DCGM_FI_DEV_GPU_TEMP", Kind.GAUGE, "GPU temperature (in C)."),
  POWER_USAGE("DCGM_FI_DEV_POWER_USAGE", Kind.GAUGE, "Power draw (in W)."),
  FB_USED("DCGM_FI_DEV_FB_USED", Kind.GAUGE, "Framebuffer memory used (in MiB)."),
  FB_FREE("DCGM_FI_DEV_FB_FREE", Kind.GAUGE, "Framebuffer memory free (in MiB)."),
  SM_CLOCK("DCGM_FI_DEV_SM_CLOCK", Kind.GAUGE, "SM clock frequency (in MHz)."),
  MEM_CLOCK("DCGM_FI_DEV_MEM_CLOCK", Kind.GAUGE, "Memory clock frequency (in MHz)."),
  XID_ERRORS("DCGM_FI_DEV_XID_ERRORS", Kind.GAUGE, "Value of the last XID error encountered."),
  MEMORY_TEMP("DCGM_FI_DEV_MEMORY_TEMP", Kind.GAUGE, "Memory temperature (in C)."),
  TOTAL_ENERGY_CONSUMPTION("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", Kind.COUNTER,
      "Total energy consumption since boot (in mJ)."),
  PCIE_REPLAY_COUNTER("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", Kind.COUNTER, "Total number of PCIe retries."),
  GR_ENGINE_ACTIVE("DCGM_FI_PROF_GR_ENGINE_ACTIVE", Kind.GAUGE, "Ratio of time the graphics engine is active."),
  SM_ACTIVE("DCGM_FI_PROF_SM_ACTIVE", Kind.GAUGE, "The ratio of cycles an SM has at least 1 warp assigned."),
  PIPE_TENSOR_ACTIVE("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", Kind.GAUGE,
      "Ratio of cycles the tensor (HMMA) pipe is active."),
  DRAM_ACTIVE("DCGM_FI_PROF_DRAM_ACTIVE", Kind.GAUGE,
      "Ratio of cycles the device memory interface is active sending or receiving data."),
  PCIE_TX_BYTES("DCGM_FI_PROF_PCIE_TX_BYTES", Kind.GAUGE, "The rate of data transmitted over the PCIe bus (in B/s)."),
  PCIE_RX_BYTES("DCGM_FI_PROF_PCIE_RX_BYTES", Kind.GAUGE, "The rate of data received over the PCIe bus (in B/s).");

  /** How the value behaves over time; counters only grow. */
  public enum Kind { GAUGE, COUNTER }

  /** The bundled sample's ten metrics, in its order: the default set. */
  public static final List<DcgmMetric> SAMPLE_SET = List.of(GPU_UTIL, MEM_COPY_UTIL, POWER_USAGE, GPU_TEMP,
      FB_USED, FB_FREE, DEC_UTIL, ENC_UTIL, SM_CLOCK, MEM_CLOCK);

  private final String dcgmName;
  private final Kind kind;
  private final String help;

  DcgmMetric(String dcgmName, Kind kind, String help) {
    this.dcgmName = dcgmName;
    this.kind = kind;
    this.help = help;
  }

  /** The exporter's metric name, e.g. {@code DCGM_FI_DEV_GPU_UTIL}; a constant, so samples share it. */
  public String dcgmName() {
    return dcgmName;
  }

  public Kind kind() {
    return kind;
  }

  /** dcgm-exporter's help text for the field. */
  public String help() {
    return help;
  }

  /**
   * The metric of a DCGM name ({@code DCGM_FI_DEV_GPU_UTIL}) or its short form ({@code gpu_util}),
   * case-insensitively.
   *
   * @throws IllegalArgumentException naming the known metrics when there is no such metric
   */
  public static DcgmMetric of(String name) {
    String wanted = name.trim().toUpperCase(Locale.ROOT);
    for (DcgmMetric metric : values()) {
      if (metric.dcgmName.equals(wanted) || metric.name().equals(wanted)) {
        return metric;
      }
    }
    throw new IllegalArgumentException("unknown metric '" + name + "'; known: " + names(EnumSet.allOf(DcgmMetric.class)));
  }

  /**
   * A comma-separated list of metrics; {@code sample} names the sample's set and {@code all} every
   * metric. Duplicates are kept once, in first-seen order.
   */
  public static List<DcgmMetric> parseList(String text) {
    Set<DcgmMetric> chosen = new java.util.LinkedHashSet<>();
    for (String part : text.split(",")) {
      String name = part.trim();
      if (name.equalsIgnoreCase("all")) {
        chosen.addAll(List.of(values()));
      } else if (name.equalsIgnoreCase("sample")) {
        chosen.addAll(SAMPLE_SET);
      } else if (!name.isEmpty()) {
        chosen.add(of(name));
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no metric named in '" + text + "'");
    }
    return List.copyOf(chosen);
  }

  private static String names(Set<DcgmMetric> metrics) {
    List<String> out = new ArrayList<>();
    metrics.forEach(m -> out.add(m.dcgmName));
    return String.join(", ", out);
  }
}
