package org.gputelemetry.pipeline.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * What fleet to simulate: how many GPUs on how many hosts, which metrics, the seed and the clock.
 * Immutable; the same configuration always yields the same fleet, value for value.
 *
 * @param gpus number of GPUs in the fleet
 * @param gpusPerHost GPUs on each host (the last host may have fewer); a DGX has 8
 * @param metrics the metrics each GPU reports every interval, in output order
 * @param seed the seed every identity and value derives from
 * @param startMicros timestamp of the first tick, microseconds since the epoch
 * @param intervalMicros time between ticks
 * @param model the GPU model of every GPU
 * @param hostPrefix hostnames are this plus the host's number, zero-padded
 * @param driverVersion the {@code DCGM_FI_DRIVER_VERSION} label
 */
public record FleetConfig(int gpus, int gpusPerHost, List<DcgmMetric> metrics, long seed, long startMicros,
                          long intervalMicros, GpuModel model, String hostPrefix, String driverVersion) {

  public static final int DEFAULT_GPUS_PER_HOST = 8;
  public static final long DEFAULT_SEED = 1;
  /** The bundled sample's first timestamp. */
  public static final Instant DEFAULT_START = Instant.parse("2025-07-18T20:42:34Z");
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final String DEFAULT_HOST_PREFIX = "sim-dgx-";
  public static final String DEFAULT_DRIVER_VERSION = "535.129.03";
  /** Enough for a large fleet, small enough that a typo cannot ask for terabytes of state. */
  public static final int MAX_GPUS = 10_000_000;
  /** Label text that needs no quoting in CSV or OpenMetrics. */
  private static final Pattern NAME_TEXT = Pattern.compile("[A-Za-z0-9._-]*");

  public FleetConfig {
    if (gpus < 1 || gpus > MAX_GPUS) {
      throw new IllegalArgumentException("gpus must be between 1 and " + MAX_GPUS + ", got " + gpus);
    }
    if (gpusPerHost < 1 || gpusPerHost > 1024) {
      throw new IllegalArgumentException("gpusPerHost must be between 1 and 1024, got " + gpusPerHost);
    }
    metrics = List.copyOf(metrics);
    if (metrics.isEmpty() || metrics.size() != metrics.stream().distinct().count()) {
      throw new IllegalArgumentException("metrics must be a non-empty list without duplicates, got " + metrics);
    }
    if (intervalMicros < 1_000) {
      throw new IllegalArgumentException("interval must be at least 1ms, got " + intervalMicros + "us");
    }
    Objects.requireNonNull(model, "model");
    if (!NAME_TEXT.matcher(hostPrefix).matches()) {
      throw new IllegalArgumentException("hostPrefix may hold letters, digits, '.', '_' and '-' only, got '"
          + hostPrefix + "'");
    }
    if (!NAME_TEXT.matcher(driverVersion).matches() || driverVersion.isEmpty()) {
      throw new IllegalArgumentException("driverVersion may hold letters, digits, '.', '_' and '-' only, got '"
          + driverVersion + "'");
    }
  }

  /** {@code gpus} GPUs, 8 per host, the sample's metrics, seed 1, from the sample's start, every second. */
  public static FleetConfig of(int gpus) {
    return new FleetConfig(gpus, DEFAULT_GPUS_PER_HOST, DcgmMetric.SAMPLE_SET, DEFAULT_SEED,
        Timestamps.toMicros(DEFAULT_START), DEFAULT_INTERVAL.toNanos() / 1_000, GpuModel.H100_SXM_80GB,
        DEFAULT_HOST_PREFIX, DEFAULT_DRIVER_VERSION);
  }

  /** The number of hosts: {@code gpus / gpusPerHost}, rounded up. */
  public int hosts() {
    return (gpus + gpusPerHost - 1) / gpusPerHost;
  }

  /** Samples one tick produces. */
  public long samplesPerTick() {
    return (long) gpus * metrics.size();
  }

  public FleetConfig withGpusPerHost(int n) {
    return new FleetConfig(gpus, n, metrics, seed, startMicros, intervalMicros, model, hostPrefix, driverVersion);
  }

  /** Spreads the GPUs over {@code hosts} hosts, as evenly as whole hosts allow. */
  public FleetConfig withHosts(int hosts) {
    if (hosts < 1 || hosts > gpus) {
      throw new IllegalArgumentException("hosts must be between 1 and the GPU count " + gpus + ", got " + hosts);
    }
    return withGpusPerHost((gpus + hosts - 1) / hosts);
  }

  public FleetConfig withMetrics(List<DcgmMetric> list) {
    return new FleetConfig(gpus, gpusPerHost, list, seed, startMicros, intervalMicros, model, hostPrefix, driverVersion);
  }

  public FleetConfig withSeed(long s) {
    return new FleetConfig(gpus, gpusPerHost, metrics, s, startMicros, intervalMicros, model, hostPrefix, driverVersion);
  }

  public FleetConfig withStart(Instant start) {
    return new FleetConfig(gpus, gpusPerHost, metrics, seed, Timestamps.toMicros(start), intervalMicros, model,
        hostPrefix, driverVersion);
  }

  public FleetConfig withInterval(Duration interval) {
    return new FleetConfig(gpus, gpusPerHost, metrics, seed, startMicros, interval.toNanos() / 1_000, model,
        hostPrefix, driverVersion);
  }

  public FleetConfig withModel(GpuModel m) {
    return new FleetConfig(gpus, gpusPerHost, metrics, seed, startMicros, intervalMicros, m, hostPrefix, driverVersion);
  }

  public FleetConfig withHostPrefix(String prefix) {
    return new FleetConfig(gpus, gpusPerHost, metrics, seed, startMicros, intervalMicros, model, prefix, driverVersion);
  }
}
