package org.gputelemetry.pipeline.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorOf;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The short keys the seed docs install with (streamer.workers, collector.maxEntriesPerGPU ...) reach the jar. */
class HelmSeedAliasesTest {

  @Test
  void aliasesWinOverTheConfigBlock() {
    RenderedChart chart = RenderedChart.render("telemetry-alias", null, sets(
        "postgresql.auth.password", DB_PASSWORD,
        "streamer.workers", "4",
        "streamer.rate", "20",
        "collector.workers", "6",
        "collector.maxEntriesPerGPU", "777"));
    JsonObject streamer = descriptorOf(chart, chart.workload("streamer"));
    assertEquals(4, streamer.getJsonObject("streamer").getInteger("workers"));
    assertEquals(20, streamer.getJsonObject("streamer").getInteger("rate"));
    JsonObject collector = descriptorOf(chart, chart.workload("collector"));
    assertEquals(6, collector.getJsonObject("collector").getInteger("workers"));
    assertEquals(777, collector.getJsonObject("store").getInteger("maxEntriesPerGPU"));
  }

  @Test
  void withoutAliasesTheConfigBlockApplies() {
    RenderedChart chart = RenderedChart.render("telemetry-noalias", null, sets(
        "postgresql.auth.password", DB_PASSWORD,
        "streamer.config.workers", "3",
        "collector.config.maxBytes", "256m"));
    JsonObject streamer = descriptorOf(chart, chart.workload("streamer"));
    assertEquals(3, streamer.getJsonObject("streamer").getInteger("workers"));
    assertEquals(1250, streamer.getJsonObject("streamer").getInteger("rate"));
    JsonObject store = descriptorOf(chart, chart.workload("collector")).getJsonObject("store");
    assertEquals("256m", store.getString("maxBytes"));
    assertEquals(0, store.getInteger("maxEntriesPerGPU"));
  }

  @Test
  void anIngressHostGivenOnlyByNameServesEverythingUnderSlash() {
    RenderedChart chart = RenderedChart.render("telemetry-api", null, sets(
        "postgresql.auth.password", DB_PASSWORD,
        "apiGateway.ingress.enabled", "true",
        "apiGateway.ingress.hosts[0].host", "api.telemetry.local"));
    Object rule = RenderedChart.list(RenderedChart.at(
        chart.ofKind("Ingress").get(0), "spec.rules")).get(0);
    assertEquals("api.telemetry.local", RenderedChart.at(rule, "host"));
    Object path = RenderedChart.list(RenderedChart.at(rule, "http.paths")).get(0);
    assertEquals("/", RenderedChart.at(path, "path"));
    assertEquals("Prefix", RenderedChart.at(path, "pathType"));
  }
}
