package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
 * @param interval time between two simulated ticks, or between two scrapes of a target
 *                 ({@code dcgm-exporter}, default 15 s)
 * @param targets the exporters a {@code dcgm-exporter} source scrapes (empty for other sources)
 * @param scrape how a {@code dcgm-exporter} source scrapes (its interval is {@code interval}'s)
 */
public record SourceSettings(SourceType type, int gpus, int gpusPerHost, int hosts, List<String> metrics, long seed,
                             Duration interval, List<ScrapeTarget> targets, ScrapeSettings scrape) {

  private static final List<String> SCRAPE_KEYS = List.of("timeout", "concurrency", "backoffMax", "maxResponseBytes",
      "forgetAfter", "uuidLabel", "maxSeriesPerTarget");
  private static final Set<String> COUNT_KEYS = Set.of("concurrency", "maxResponseBytes",
      "maxSeriesPerTarget");

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static SourceSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    SourceType type = j.choice("type", SourceType.CSV, SourceType.class);
    boolean scraping = type == SourceType.DCGM_EXPORTER;
    Duration interval = j.duration("interval", scraping ? ScrapeSettings.DEFAULT_INTERVAL : FleetConfig.DEFAULT_INTERVAL);
    List<ScrapeTarget> targets = scraping ? targets(j) : List.of();
    // read (and checked) for every source, so the effective configuration lists them
    ScrapeSettings scrape = scrapeSettings(j, scraping ? interval : ScrapeSettings.DEFAULT_INTERVAL);
    SourceSettings s = new SourceSettings(
        type,
        j.intValue("gpus", 64, 1, FleetConfig.MAX_GPUS),
        j.intValue("gpusPerHost", FleetConfig.DEFAULT_GPUS_PER_HOST, 1, 1024),
        j.intValue("hosts", 0, 0, FleetConfig.MAX_GPUS),
        metricNames(j),
        j.integer("seed", FleetConfig.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
        interval, targets, scrape);
    try {
      s.fleet();
    } catch (IllegalArgumentException e) {
      if (!scraping) {
        j.problem(keyOf(e.getMessage()), e.getMessage());
      }
    }
    return s;
  }

  /** {@code targets}: an array of URLs or {url, hostname} objects, or URLs comma-separated (from the environment). */
  private static List<ScrapeTarget> targets(DescriptorJson j) {
    Object v = j.json().getValue("targets");
    JsonArray array = v instanceof String text
        ? new JsonArray(List.of(text.split(",")).stream().map(String::trim).filter(t -> !t.isEmpty()).toList())
        : v instanceof JsonArray a ? a : null;
    if (array == null || array.isEmpty()) {
      j.problem("targets", v != null && array == null ? "expected an array of URLs or {\"url\", \"hostname\"} objects"
          : "the dcgm-exporter source needs at least one target");
      return List.of();
    }
    try {
      return ScrapeTarget.listFromJson(array, j.key("targets"));
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      j.problem("targets", m.startsWith("invalid configuration '") ? m.substring("invalid configuration '".length())
          .replaceFirst("^([^']*)': ", "$1: ") : m);
      return List.of();
    }
  }

  private static ScrapeSettings scrapeSettings(DescriptorJson j, Duration interval) {
    JsonObject block = new JsonObject().put("interval", interval.toMillis() + "ms");
    for (String key : SCRAPE_KEYS) {
      Object v = j.json().getValue(key);
      if (v != null) {
        // durations as this descriptor spells them (a bare number is milliseconds here)
        block.put(key, v instanceof Number n && !COUNT_KEYS.contains(key) ? n.longValue() + "ms" : v);
      }
    }
    try {
      return ScrapeSettings.fromJson(block, j.key("").replaceAll("\\.$", ""));
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int at = m.indexOf(j.key(""));
      String key = at < 0 ? "interval" : m.substring(at + j.key("").length()).split("'", 2)[0];
      int text = m.indexOf("': ");
      j.problem(key, text < 0 ? m : m.substring(text + 3));
      return ScrapeSettings.defaults();
    }
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
    JsonObject json = new JsonObject().put("type", type.configName()).put("gpus", gpus).put("gpusPerHost", gpusPerHost)
        .put("hosts", hosts).put("metrics", new JsonArray(metrics)).put("seed", seed)
        .put("interval", Durations.format(interval))
        .put("targets", new JsonArray(targets.stream().map(t -> (Object) new JsonObject().put("url", t.url())
            .put("hostname", t.hostname())).toList()));
    json.put("timeout", Durations.format(scrape.timeout())).put("concurrency", scrape.concurrency())
        .put("backoffMax", Durations.format(scrape.backoffMax())).put("maxResponseBytes", scrape.maxResponseBytes())
        .put("forgetAfter", Durations.format(scrape.forgetAfter())).put("uuidLabel", scrape.uuidLabel())
        .put("maxSeriesPerTarget", scrape.maxSeriesPerTarget());
    return json;
  }
}
