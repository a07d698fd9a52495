package org.gputelemetry.pipeline.simulate;

import java.util.Objects;
import org.gputelemetry.pipeline.model.Gpu;

/**
 * One simulated GPU's identity: the {@link Gpu} its samples carry, plus the labels dcgm-exporter
 * adds that the model does not hold. Derived from the seed and the GPU's place in the fleet only,
 * so the same fleet index always has the same uuid. Immutable.
 *
 * @param fleetIndex position in the fleet, 0-based
 * @param hostIndex the host's position in the fleet, 0-based
 * @param pciBusId the {@code pci_bus_id} label, e.g. {@code 00000000:18:00.0}
 * @param driverVersion the {@code DCGM_FI_DRIVER_VERSION} label
 * @param instance the Prometheus {@code instance} label: the host's exporter, {@code host:9400}
 */
public record SimulatedGpu(Gpu gpu, int fleetIndex, int hostIndex, String pciBusId, String driverVersion,
                           String instance) {

  /** The PCI buses of a DGX H100's eight GPUs, in device order. */
  private static final int[] DGX_BUSES = {0x18, 0x2A, 0x3A, 0x5D, 0x9A, 0xAB, 0xBA, 0xDB};
  private static final long UUID_SALT = 0x6A09E667F3BCC909L;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  public SimulatedGpu {
    Objects.requireNonNull(gpu, "gpu");
  }

  /** The GPU at {@code fleetIndex} of the fleet {@code config} describes. */
  static SimulatedGpu of(FleetConfig config, int fleetIndex) {
    int hostIndex = fleetIndex / config.gpusPerHost();
    int index = fleetIndex % config.gpusPerHost();
    String hostname = hostname(config, hostIndex);
    Gpu gpu = new Gpu(uuid(config.seed(), fleetIndex), index, "nvidia" + index, config.model().name(), hostname);
    return new SimulatedGpu(gpu, fleetIndex, hostIndex, pciBusId(index), config.driverVersion(), hostname + ":9400");
  }

  /** {@code GPU-} and 32 hex digits in the 8-4-4-4-12 grouping NVIDIA prints. */
  static String uuid(long seed, int fleetIndex) {
    SplitMix rng = SplitMix.forItem(seed, UUID_SALT, fleetIndex);
    long hi = rng.nextLong();
    long lo = rng.nextLong();
    StringBuilder out = new StringBuilder(40).append("GPU-");
    appendHex(out, hi >>> 32, 8).append('-');
    appendHex(out, hi >>> 16, 4).append('-');
    appendHex(out, hi, 4).append('-');
    appendHex(out, lo >>> 48, 4).append('-');
    appendHex(out, lo, 12);
    return out.toString();
  }

  static String hostname(FleetConfig config, int hostIndex) {
    int width = Math.max(3, String.valueOf(config.hosts()).length());
    String number = String.valueOf(hostIndex + 1);
    return config.hostPrefix() + "0".repeat(width - number.length()) + number;
  }

  private static String pciBusId(int index) {
    int bus = index < DGX_BUSES.length ? DGX_BUSES[index] : (0x100 + index * 0x10) & 0xFF;
    int domain = index < DGX_BUSES.length ? 0 : (0x100 + index * 0x10) >>> 8;
    return String.format("%08X:%02X:00.0", domain, bus);
  }

  private static StringBuilder appendHex(StringBuilder out, long value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out.append(HEX[(int) (value >>> shift) & 0xF]);
    }
    return out;
  }
}
