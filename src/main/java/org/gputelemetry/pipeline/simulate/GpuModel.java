package org.gputelemetry.pipeline.simulate;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a GPU model allows: memory, power and clock limits the simulator keeps values within.
 * Immutable.
 *
 * @param name the {@code modelName} label, as nvidia-smi and DCGM print it
 * @param fbUsableMiB framebuffer memory DCGM reports as used + free (total less the reserved part)
 * @param idlePowerW power drawn idle at the idle clock
 * @param powerLimitW the board's power limit: power never exceeds it
 * @param smClockMaxMHz boost clock under load
 * @param smClockIdleMHz clock the driver drops to when idle
 * @param memClockMHz memory clock, fixed on HBM parts
 * @param degreesPerWatt steady-state temperature rise per watt above ambient
 */
public record GpuModel(String name, int fbUsableMiB, double idlePowerW, double powerLimitW, int smClockMaxMHz,
                       int smClockIdleMHz, int memClockMHz, double degreesPerWatt) {

  /** DGX H100 (SXM5): the bundled sample's GPUs. */
  public static final GpuModel H100_SXM_80GB = new GpuModel("NVIDIA H100 80GB HBM3", 81_007, 68.0, 700.0,
      1980, 345, 2619, 0.072);
  /** DGX A100 (SXM4, 80 GB). */
  public static final GpuModel A100_SXM_80GB = new GpuModel("NVIDIA A100-SXM4-80GB", 81_051, 56.0, 400.0,
      1410, 210, 1593, 0.115);

  /** The presets by short name, for the command line. */
  public static final List<String> PRESETS = List.of("h100", "a100");

  public GpuModel {
    Objects.requireNonNull(name, "name");
    if (fbUsableMiB <= 0 || idlePowerW <= 0 || powerLimitW <= idlePowerW || smClockIdleMHz <= 0
        || smClockMaxMHz < smClockIdleMHz || memClockMHz <= 0 || degreesPerWatt <= 0) {
      throw new IllegalArgumentException("inconsistent GPU model limits: " + name);
    }
  }

  /**
   * A preset by short name ({@code h100}, {@code a100}).
   *
   * @throws IllegalArgumentException naming the presets when there is no such one
   */
  public static GpuModel preset(String shortName) {
    return switch (shortName.trim().toLowerCase(Locale.ROOT)) {
      case "h100" -> H100_SXM_80GB;
      case "a100" -> A100_SXM_80GB;
      default -> throw new IllegalArgumentException("unknown GPU model '" + shortName + "'; known: " + PRESETS);
    };
  }
}
