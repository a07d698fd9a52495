package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.testutil.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's PrometheusRule as Prometheus reads it: rendered with every feature on, written as a
 * rule file, checked by {@code promtool check rules} and unit-tested by {@code promtool test rules}
 * with the cases in {@code src/test/resources/alerts/}, one or more per alert.
 */
class HelmAlertRulesTest {

  private static final String TESTS = "pipeline-alerts-test.yaml";

  @Test
  void everyAlertPassesItsPromtoolUnitTest(@TempDir Path dir) throws Exception {
    RenderedChart chart = HelmReleases.allFeatures();
    Object groups = at(chart.ofKind("PrometheusRule").get(0), "spec.groups");
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, new Yaml().dump(Map.of("groups", groups)));
    try (InputStream in = getClass().getResourceAsStream("/alerts/" + TESTS)) {
      Files.copy(in, dir.resolve(TESTS));
    }

    Promtool.Result check = Promtool.run(dir, null, "check", "rules", rules.toString());
    assertEquals(0, check.exitCode(), "promtool check rules:\n" + check.output() + "\n" + Files.readString(rules));
    Promtool.Result test = Promtool.run(dir, null, "test", "rules", TESTS);
    assertEquals(0, test.exitCode(), "promtool test rules:\n" + test.output() + "\n" + Files.readString(rules));

    // every alert of the chart has a case in the test file
    String cases = Files.readString(dir.resolve(TESTS));
    Set<String> alerts = new TreeSet<>();
    for (Object group : list(groups)) {
      for (Object rule : list(RenderedChart.map(group).get("rules"))) {
        alerts.add(String.valueOf(RenderedChart.map(rule).get("alert")));
      }
    }
    for (String alert : Set.of("StreamerDown", "GatewayDown", "DcgmExporterTargetDown",
        "TelemetryHighStoreErrorRate", "TelemetryHighMemory", "TelemetrySpoolFilling", "TelemetryRedisBacklogFilling",
        "CollectorDown", "RedisConnectionLost", "TelemetryHighRejectRate", "TelemetryHighEndToEndLag", "TelemetryGpuStale",
        "CrossClusterHighLatency", "MessageQueueDisconnected", "TelemetryHighContainerMemory", "TelemetryCheckpointFailing")) {
      assertTrue(alerts.contains(alert), "the chart has " + alert + ": " + alerts);
      assertTrue(cases.contains("alertname: " + alert), "a promtool case for " + alert);
    }
  }
}
