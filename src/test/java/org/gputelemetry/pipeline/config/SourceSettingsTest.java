package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.simulate.DcgmMetric;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.junit.jupiter.api.Test;

/** The {@code streamer.source} block: its defaults, the simulated fleet it describes, and its errors by key. */
class SourceSettingsTest {

  @Test
  void defaultsKeepTheCsvReplayAndDescribeASmallFleet() {
    SourceSettings s = PipelineSettings.fromJson(new JsonObject()).streamer().source();
    assertEquals(SourceType.CSV, s.type());
    assertEquals(64, s.gpus());
    assertEquals(8, s.gpusPerHost());
    assertEquals(0, s.hosts());
    assertEquals(List.of("sample"), s.metrics());
    assertEquals(1, s.seed());
    assertEquals(Duration.ofSeconds(1), s.interval());
    FleetConfig fleet = s.fleet();
    assertEquals(8, fleet.hosts());
    assertEquals(DcgmMetric.SAMPLE_SET, fleet.metrics());
  }

  @Test
  void simulateBlockBuildsItsFleet() {
    SourceSettings s = source(new JsonObject().put("type", "simulate").put("gpus", 1000).put("hosts", 100)
        .put("metrics", new JsonArray().add("gpu_util").add("DCGM_FI_DEV_POWER_USAGE")).put("seed", 7)
        .put("interval", "250ms"));
    assertEquals(SourceType.SIMULATE, s.type());
    FleetConfig fleet = s.fleet();
    assertEquals(1000, fleet.gpus());
    assertEquals(100, fleet.hosts());
    assertEquals(10, fleet.gpusPerHost());
    assertEquals(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.POWER_USAGE), fleet.metrics());
    assertEquals(7, fleet.seed());
    assertEquals(250_000, fleet.intervalMicros());
    assertEquals(s, PipelineSettings.fromJson(PipelineSettings.fromJson(new JsonObject()
        .put("streamer", new JsonObject().put("source", s.toJson()))).toJson()).streamer().source());
  }

  @Test
  void metricsMayBeOneCommaSeparatedString() {
    assertEquals(List.copyOf(java.util.EnumSet.allOf(DcgmMetric.class)),
        source(new JsonObject().put("metrics", "all")).fleet().metrics());
    assertEquals(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.GPU_TEMP),
        source(new JsonObject().put("metrics", "gpu_util, gpu_temp")).fleet().metrics());
  }

  @Test
  void environmentSetsTheSource() {
    SourceSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_SOURCE_TYPE", "simulate",
        "STREAMER_SOURCE_GPUS", "32", "STREAMER_SOURCE_INTERVAL", "200ms", "STREAMER_SOURCE_SEED", "9",
        "STREAMER_SOURCE_METRICS", "gpu_util,sm_clock")).streamer().source();
    assertEquals(SourceType.SIMULATE, s.type());
    assertEquals(32, s.gpus());
    assertEquals(Duration.ofMillis(200), s.interval());
    assertEquals(9, s.seed());
    assertEquals(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.SM_CLOCK), s.fleet().metrics());
  }

  @Test
  void environmentSetsTheScrapeTargets() {
    SourceSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_SOURCE_TYPE", "dcgm-exporter",
        "STREAMER_SOURCE_TARGETS", "http://10.0.3.7:9400/metrics, http://10.0.3.8:9400/metrics",
        "STREAMER_SOURCE_INTERVAL", "1s", "STREAMER_SOURCE_CONCURRENCY", "8")).streamer().source();
    assertEquals(SourceType.DCGM_EXPORTER, s.type());
    assertEquals(List.of("http://10.0.3.7:9400/metrics", "http://10.0.3.8:9400/metrics"),
        s.targets().stream().map(org.gputelemetry.pipeline.config.ScrapeTarget::url).toList());
    assertEquals(Duration.ofSeconds(1), s.scrape().interval());
    assertEquals(Duration.ofSeconds(1), s.scrape().timeout(), "the timeout defaults to the interval when shorter");
    assertEquals(8, s.scrape().concurrency());
  }

  @Test
  void environmentTargetsMayNameTheirHost() {
    SourceSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_SOURCE_TYPE", "dcgm-exporter",
        "STREAMER_SOURCE_TARGETS", "gpu-node-7=http://10.0.3.7:9400/metrics, http://10.0.3.8:9400/metrics?collect=all"))
        .streamer().source();
    assertEquals(List.of(new ScrapeTarget("http://10.0.3.7:9400/metrics", "gpu-node-7"),
        new ScrapeTarget("http://10.0.3.8:9400/metrics?collect=all", null)), s.targets(),
        "HOSTNAME=URL names the host; a URL with = in its query stays a URL");
    SourceSettings d = PipelineSettings.fromJson(streamer(new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add("node-a.example=https://10.0.3.9:9400/metrics")))).streamer().source();
    assertEquals(List.of(new ScrapeTarget("https://10.0.3.9:9400/metrics", "node-a.example")), d.targets());
    assertKey("streamer.source.targets", new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add("gpu-node-7=ftp://10.0.3.7/metrics")));
    assertKey("streamer.source.targets", new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add("gpu-node-7=")));
  }

  @Test
  void theScrapeIntervalDefaultsTo15Seconds() {
    SourceSettings s = PipelineSettings.fromJson(streamer(new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add(new JsonObject().put("url", "http://10.0.3.7:9400/metrics")
            .put("hostname", "node-7"))))).streamer().source();
    assertEquals(Duration.ofSeconds(15), s.interval());
    assertEquals(Duration.ofSeconds(10), s.scrape().timeout());
    assertEquals("node-7", s.targets().get(0).hostname());
  }

  @Test
  void badValuesAreReportedByTheirKey() {
    assertKey("streamer.source.type", new JsonObject().put("type", "prometheus"));
    assertKey("streamer.source.targets", new JsonObject().put("type", "dcgm-exporter"));
    assertKey("streamer.source.targets", new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add("ftp://host/metrics")));
    assertKey("streamer.source.timeout", new JsonObject().put("type", "dcgm-exporter")
        .put("targets", new JsonArray().add("http://127.0.0.1:9400/metrics")).put("timeout", "1ms"));
    assertKey("streamer.source.type", new JsonObject().put("type", "Simulate"));
    assertKey("streamer.source.gpus", new JsonObject().put("gpus", 0));
    assertKey("streamer.source.gpus", new JsonObject().put("gpus", "many"));
    assertKey("streamer.source.gpusPerHost", new JsonObject().put("gpusPerHost", 2000));
    assertKey("streamer.source.hosts", new JsonObject().put("gpus", 4).put("hosts", 8));
    assertKey("streamer.source.metrics", new JsonObject().put("metrics", new JsonArray().add("gpu_utilisation")));
    assertKey("streamer.source.metrics", new JsonObject().put("metrics", new JsonArray()));
    assertKey("streamer.source.metrics", new JsonObject().put("metrics", new JsonArray().add(3)));
    assertKey("streamer.source.interval", new JsonObject().put("interval", "0ms"));
    assertKey("streamer.source.interval", new JsonObject().put("interval", "often"));
    assertKey("streamer.source.seed", new JsonObject().put("seed", 1.5));
    assertKey("streamer.source.targets", new JsonObject().put("type", "dcgm-exporter").put("targets", new JsonArray()));
    ConfigException e = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromJson(streamer(new JsonObject().put("type", "scrape"))));
    assertTrue(e.getMessage().contains("csv, simulate"), e.getMessage());
  }

  @Test
  void badEnvironmentValueNamesVariableAndKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_SOURCE_GPUS", "lots")));
    assertTrue(e.getMessage().contains("STREAMER_SOURCE_GPUS") && e.getMessage().contains("streamer.source.gpus"),
        e.getMessage());
  }

  private static SourceSettings source(JsonObject block) {
    return PipelineSettings.fromJson(streamer(block)).streamer().source();
  }

  private static JsonObject streamer(JsonObject block) {
    return new JsonObject().put("streamer", new JsonObject().put("source", block));
  }

  private static void assertKey(String key, JsonObject block) {
    ConfigException e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(streamer(block)));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }
}
