package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.gputelemetry.pipeline.simulate.DcgmMetric;
import org.gputelemetry.pipeline.simulate.FleetConfig;

/**
 * Settings of the streamer's source ({@code streamer.source} block). The CSV source's own keys
 * ({@code csvPath}, {@code loopMode}, {@code timestampMode}, {@code rate}) stay in the
 * {@code streamer} block, so descriptors written before sources existed keep their meaning; the
 * keys here other than {@code type} shape the simulated fleet. Immutable.
 *
 * @param type which source the streamer runs
 * @param gpus simulated GPUs in the whole fleet (every streamer instance simulates them all and
 *             reports its share)
 * @param gpusPerHost simulated GPUs per host, when {@code hosts} is 0
 * @param hosts simulated hosts the GPUs are spread over; 0 derives them from {@code gpusPerHost}
 * @param metrics DCGM metric names, their short forms, {@code sample} or {@code all}
 * @param seed seed of the simulation: one seed, one fleet
 * @param interval time between two simulated ticks
 */
public record SourceSettings(SourceType type, int gpus, int gpusPerHost, int hosts, List<String> metrics, long seed,
                             Duration interval) {

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static SourceSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    SourceSettings s = new SourceSettings(
        j.choice("type", SourceType.CSV, SourceType.class),
        j.intValue("gpus", 64, 1, FleetConfig.MAX_GPUS),
        j.intValue("gpusPerHost", FleetConfig.DEFAULT_GPUS_PER_HOST, 1, 1024),
        j.intValue("hosts", 0, 0, FleetConfig.MAX_GPUS),
        metricNames(j),
        j.integer("seed", FleetConfig.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
        j.duration("interval", FleetConfig.DEFAULT_INTERVAL));
    try {
      s.fleet();
    } catch (IllegalArgumentException e) {
      j.problem(keyOf(e.getMessage()), e.getMessage());
    }
    return s;
  }

  /** {@code metrics} as a list, or as one comma-separated string (how an environment variable gives it). */
  private static List<String> metricNames(DescriptorJson j) {
    List<String> def = List.of("sample");
    if (j.json().getValue("metrics") instanceof String text) {
      return List.of(text.split(",")).stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
    }
    return j.strings("metrics", def);
  }

  /**
   * The simulated fleet these settings describe.
   *
   * @throws IllegalArgumentException naming the field when a value is out of range
   */
  public FleetConfig fleet() {
    if (interval.toMillis() < 1) {
      throw new IllegalArgumentException("interval must be at least 1ms, got " + Durations.format(interval));
    }
    FleetConfig fleet = FleetConfig.of(gpus).withGpusPerHost(gpusPerHost).withSeed(seed).withInterval(interval)
        .withMetrics(DcgmMetric.parseList(String.join(",", metrics)));
    return hosts == 0 ? fleet : fleet.withHosts(hosts);
  }

  /** The key a {@link FleetConfig} or {@link DcgmMetric} complaint is about, by its first word. */
  private static String keyOf(String message) {
    String first = message == null ? "" : message.split("[ ']", 2)[0];
    return switch (first) {
      case "gpus", "gpusPerHost", "hosts", "interval" -> first;
      default -> "metrics"; // unknown metric / no metric named / metrics must be ...
    };
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", type.configName()).put("gpus", gpus).put("gpusPerHost", gpusPerHost)
        .put("hosts", hosts).put("metrics", new JsonArray(metrics)).put("seed", seed)
        .put("interval", Durations.format(interval));
  }
}
