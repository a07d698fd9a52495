package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.HOST_IP;
import static org.gputelemetry.pipeline.helm.HelmReleases.NODE_NAME;
import static org.gputelemetry.pipeline.helm.HelmReleases.checksum;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorOf;
import static org.gputelemetry.pipeline.helm.HelmReleases.mountedFile;
import static org.gputelemetry.pipeline.helm.HelmReleases.podEnvironment;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.gputelemetry.pipeline.helm.RenderedChart.podSpec;
import static org.gputelemetry.pipeline.helm.RenderedChart.podTemplate;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gputelemetry.pipeline.config.CheckpointSettings;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.SourceSettings;
import org.gputelemetry.pipeline.config.SourceType;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart keys that feed the pipeline data and state: the streamer's CSV (inline, a ConfigMap of
 * the user's, a volume), its source (dcgm-exporter targets, the DaemonSet's own node, a simulated
 * fleet), the collector's checkpoint volume, the gateway's port and the dashboard ConfigMap's name.
 * Each rendering is read as the pod would see it and, where the jar is involved, parsed by the jar.
 */
class HelmDataSourcesTest {

  private static final String CSV = "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value\n"
      + "\"2025-07-18T20:42:34Z\",\"DCGM_FI_DEV_GPU_UTIL\",\"0\",\"nvidia0\",\"GPU-1\",\"H100\",\"node-1\",\"\",\"\",\"\",\"42\"\n";

  private static RenderedChart render(String... keysAndValues) {
    Map<String, String> sets = sets("postgresql.auth.password", DB_PASSWORD);
    sets.putAll(sets(keysAndValues));
    return RenderedChart.render("telemetry-data", null, sets);
  }

  private static PipelineSettings settings(RenderedChart chart, String component, Path tmp) throws IOException {
    Map<String, Object> workload = chart.workload(component);
    return PipelineSettings.fromDescriptor(descriptorOf(chart, workload), podEnvironment(container(workload), tmp));
  }

  private static Map<String, Object> volume(Map<String, Object> workload, String name) {
    return list(podSpec(workload).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> name.equals(v.get("name"))).findFirst().orElse(null);
  }

  private static Map<String, Object> mount(Map<String, Object> workload, String name) {
    return list(container(workload).get("volumeMounts")).stream().map(RenderedChart::map)
        .filter(v -> name.equals(v.get("name"))).findFirst().orElse(null);
  }

  @Test
  void inlineCsvIsAConfigMapMountedWhereCsvPathPoints(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("streamer.csvData", CSV);
    Map<String, Object> streamer = chart.workload("streamer");

    PipelineSettings settings = settings(chart, "streamer", tmp);

    assertEquals("/etc/telemetry/csv/telemetry.csv", settings.streamer().csvPath());
    Map<String, String> source = mountedFile(streamer, settings.streamer().csvPath());
    Map<String, Object> configMap = chart.named("ConfigMap", source.get("configMap"));
    assertEquals("streamer", component(configMap));
    assertEquals(CSV, data(configMap, source.get("key")), "the CSV arrives byte for byte");
    assertEquals(true, mount(streamer, "csv").get("readOnly"));

    RenderedChart changed = render("streamer.csvData", CSV + CSV.lines().skip(1).findFirst().orElseThrow() + "\n");
    assertNotEquals(at(podTemplate(streamer), "metadata.annotations.checksum/csv"),
        at(podTemplate(changed.workload("streamer")), "metadata.annotations.checksum/csv"),
        "new inline data rolls the streamer pods (the jar reads the file at start)");
    assertEquals(checksum(chart, "streamer"), checksum(changed, "streamer"), "the descriptor itself is unchanged");
  }

  @Test
  void anExplicitCsvPathInsideTheMountIsKept(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("streamer.csvData", CSV, "streamer.config.csvPath", "/data/other.csv");
    assertEquals("/data/other.csv", settings(chart, "streamer", tmp).streamer().csvPath());
  }

  @Test
  void aCsvConfigMapOfTheUsersIsMountedByNameAndKey(@TempDir Path tmp) throws IOException {
    // seed 002: kubectl create configmap telemetry-csv --from-file=telemetry.csv
    RenderedChart chart = render("streamer.csvConfigMap.name", "telemetry-csv");
    Map<String, Object> streamer = chart.workload("streamer");
    String csvPath = settings(chart, "streamer", tmp).streamer().csvPath();
    assertEquals(Map.of("configMap", "telemetry-csv", "key", "telemetry.csv"), mountedFile(streamer, csvPath));
    assertTrue(chart.ofKind("ConfigMap").stream().noneMatch(c -> name(c).endsWith("streamer-csv")),
        "the chart makes no ConfigMap of its own");

    // kubectl create configmap my-telemetry-csv --from-file=my-data.csv
    RenderedChart other = render("streamer.csvConfigMap.name", "my-telemetry-csv",
        "streamer.csvConfigMap.key", "my-data.csv");
    assertEquals(Map.of("configMap", "my-telemetry-csv", "key", "my-data.csv"),
        mountedFile(other.workload("streamer"), csvPath));
  }

  @Test
  void streamerPersistenceClaimsAVolumeAndCsvPathIsRelativeToIt(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("streamer.persistence.enabled", "true", "streamer.persistence.size", "50Gi",
        "streamer.persistence.storageClass", "standard", "streamer.config.csvPath", "fleet/2025-07.csv");
    Map<String, Object> streamer = chart.workload("streamer");
    Map<String, Object> claim = chart.ofKind("PersistentVolumeClaim").stream()
        .filter(p -> component(p).equals("streamer")).findFirst().orElseThrow();
    assertEquals("50Gi", at(claim, "spec.resources.requests.storage"));
    assertEquals("standard", at(claim, "spec.storageClassName"));
    assertEquals(name(claim), at(volume(streamer, "csv"), "persistentVolumeClaim.claimName"));
    assertEquals("/var/lib/telemetry/csv", mount(streamer, "csv").get("mountPath"));
    assertEquals(true, mount(streamer, "csv").get("readOnly"));
    assertEquals("/var/lib/telemetry/csv/fleet/2025-07.csv", settings(chart, "streamer", tmp).streamer().csvPath());

    RenderedChart defaults = render("streamer.persistence.enabled", "true");
    assertEquals("/var/lib/telemetry/csv/telemetry.csv", settings(defaults, "streamer", tmp).streamer().csvPath());

    RenderedChart existing = render("streamer.persistence.enabled", "true", "streamer.persistence.existingClaim",
        "gpu-csv", "streamer.persistence.mountPath", "/mnt/csv", "streamer.kind", "DaemonSet");
    assertEquals("gpu-csv", at(volume(existing.workload("streamer"), "csv"), "persistentVolumeClaim.claimName"));
    assertTrue(existing.ofKind("PersistentVolumeClaim").stream().noneMatch(p -> component(p).equals("streamer")));
    assertEquals("/mnt/csv/telemetry.csv", settings(existing, "streamer", tmp).streamer().csvPath());

    RenderedChart shared = render("streamer.persistence.enabled", "true", "streamer.kind", "DaemonSet",
        "streamer.persistence.accessModes[0]", "ReadOnlyMany");
    assertEquals(List.of("ReadOnlyMany"), at(shared.ofKind("PersistentVolumeClaim").stream()
        .filter(p -> component(p).equals("streamer")).findFirst().orElseThrow(), "spec.accessModes"));
  }

  @Test
  void withoutACsvInputTheStreamerReplaysTheBundledSample(@TempDir Path tmp) throws IOException {
    RenderedChart chart = Mode.DEFAULT.render();
    assertNull(settings(chart, "streamer", tmp).streamer().csvPath());
    assertNull(volume(chart.workload("streamer"), "csv"));
  }

  @Test
  void checkpointsOfTheEmbeddedStoreGoToTheCollectorsClaim(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("postgresql.enabled", "false", "apiGateway.enabled", "false", "store.type", "memory",
        "collector.checkpointEnabled", "true", "collector.checkpointInterval", "30s",
        "collector.persistence.enabled", "true", "collector.persistence.size", "20Gi",
        "collector.persistence.storageClass", "fast-ssd");
    Map<String, Object> collector = chart.workload("collector");
    JsonObject store = descriptorOf(chart, collector).getJsonObject("store");
    assertEquals("memory", store.getString("type"));
    assertEquals(new JsonObject().put("enabled", true).put("path", "/var/lib/telemetry/collector/checkpoint")
        .put("interval", "30s"), store.getJsonObject("checkpoint"));
    Map<String, Object> claim = chart.ofKind("PersistentVolumeClaim").stream()
        .filter(p -> component(p).equals("collector")).findFirst().orElseThrow();
    assertEquals("20Gi", at(claim, "spec.resources.requests.storage"));
    assertEquals("fast-ssd", at(claim, "spec.storageClassName"));
    assertEquals(name(claim), at(volume(collector, "data"), "persistentVolumeClaim.claimName"));
    assertEquals("/var/lib/telemetry/collector", mount(collector, "data").get("mountPath"));
    // the jar reads the rendered block as its store.checkpoint keys, and writes inside the mounted volume
    CheckpointSettings parsed = settings(chart, "collector", tmp).store().checkpoint();
    assertEquals(new CheckpointSettings(true, "/var/lib/telemetry/collector/checkpoint",
        Duration.ofSeconds(30)), parsed);
    assertEquals(mount(collector, "data").get("mountPath"), Path.of(parsed.path()).getParent().toString());
    assertEquals("Recreate", at(collector, "spec.strategy.type"), "one pod holds the ReadWriteOnce claim at a time");
    assertEquals(1, ((Number) at(collector, "spec.replicas")).intValue());

    RenderedChart existing = render("postgresql.enabled", "false", "apiGateway.enabled", "false",
        "store.type", "memory", "collector.checkpointEnabled", "true", "collector.persistence.enabled", "true",
        "collector.persistence.existingClaim", "telemetry-history");
    assertEquals("telemetry-history", at(volume(existing.workload("collector"), "data"), "persistentVolumeClaim.claimName"));
    assertTrue(existing.ofKind("PersistentVolumeClaim").isEmpty());
    assertEquals("1m", descriptorOf(existing, existing.workload("collector")).getJsonObject("store")
        .getJsonObject("checkpoint").getString("interval"), "default interval");

    RenderedChart emptyDir = render("postgresql.enabled", "false", "apiGateway.enabled", "false",
        "store.type", "memory", "collector.checkpointEnabled", "true");
    assertEquals(Map.of(), at(volume(emptyDir.workload("collector"), "data"), "emptyDir"),
        "without persistence the checkpoints outlive container restarts only");
    assertNull(at(emptyDir.workload("collector"), "spec.strategy"));
  }

  @Test
  void withoutCheckpointsTheCollectorHasNoDataVolume() {
    RenderedChart chart = render("postgresql.enabled", "false", "apiGateway.enabled", "false", "store.type", "memory",
        "collector.persistence.enabled", "true");
    Map<String, Object> collector = chart.workload("collector");
    assertNull(descriptorOf(chart, collector).getJsonObject("store").getValue("checkpoint"));
    assertNull(volume(collector, "data"));
    assertTrue(chart.ofKind("PersistentVolumeClaim").isEmpty());
  }

  @Test
  void apiGatewayPortIsTheContainersServicesAndProbesPort(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("apiGateway.port", "8081");
    Map<String, Object> gateway = chart.workload("api-gateway");
    Map<String, Object> port = list(container(gateway).get("ports")).stream().map(RenderedChart::map)
        .filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
    assertEquals(8081, ((Number) port.get("containerPort")).intValue());
    assertEquals("http", at(container(gateway), "readinessProbe.httpGet.port"));
    assertEquals("http", at(container(gateway), "livenessProbe.httpGet.port"));
    Map<String, Object> service = chart.named("Service", name(gateway));
    assertEquals("http", at(list(at(service, "spec.ports")).get(0), "targetPort"));
    assertEquals(8081, settings(chart, "api-gateway", tmp).gateway().port(), "the jar listens there");
  }

  @Test
  void grafanaDashboardGoesIntoTheNamedConfigMap() {
    RenderedChart chart = render("monitoring.grafana.enabled", "true",
        "monitoring.grafana.dashboardsConfigMap", "telemetry-dashboards");
    Map<String, Object> dashboards = chart.named("ConfigMap", "telemetry-dashboards");
    assertTrue(data(dashboards, "telemetry-pipeline.json").contains("\"panels\""));
    assertEquals("1", RenderedChart.labels(dashboards).get("grafana_dashboard"));
    RenderedChart unnamed = render("monitoring.grafana.enabled", "true");
    assertEquals("telemetry-data-telemetry-pipeline-dashboard", name(unnamed.ofKind("ConfigMap").stream()
        .filter(c -> data(c, "telemetry-pipeline.json") != null).findFirst().orElseThrow()));
  }

  @Test
  void scrapeTargetsReachTheJarAsListed(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("streamer.source.type", "dcgm-exporter",
        "streamer.source.targets[0]", "http://10.0.3.7:9400/metrics",
        "streamer.source.targets[1].url", "https://dcgm.example.com:9443/metrics",
        "streamer.source.targets[1].hostname", "gpu-node-8",
        "streamer.source.targets[2]", "http://dcgm-exporter.gpu-operator/metrics",
        "streamer.source.interval", "1s", "streamer.source.concurrency", "8",
        "networkPolicy.enabled", "true");
    SourceSettings source = settings(chart, "streamer", tmp).streamer().source();
    assertEquals(SourceType.DCGM_EXPORTER, source.type());
    assertEquals(List.of(new ScrapeTarget("http://10.0.3.7:9400/metrics", null),
        new ScrapeTarget("https://dcgm.example.com:9443/metrics", "gpu-node-8"),
        new ScrapeTarget("http://dcgm-exporter.gpu-operator/metrics", null)), source.targets());
    assertEquals(Duration.ofSeconds(1), source.interval());
    assertEquals(8, source.scrape().concurrency());
    assertNull(envEntry(container(chart.workload("streamer")), "STREAMER_SOURCE_TARGETS"),
        "listed targets need no node target");
    Set<Integer> opened = egressPorts(chart, "streamer");
    opened.removeAll(egressPorts(render("networkPolicy.enabled", "true"), "streamer"));
    assertEquals(Set.of(9400, 9443, 80), opened, "the policy lets the streamers reach the targets' ports");
  }

  @Test
  void aDaemonSetScrapesItsOwnNodesExporterNamedAfterTheNode(@TempDir Path tmp) throws IOException {
    RenderedChart chart = Mode.DCGM_DAEMONSET.render();
    Map<String, Object> streamer = chart.workload("streamer");
    assertEquals("DaemonSet", streamer.get("kind"));
    Map<String, Object> container = container(streamer);
    assertEquals("status.hostIP", at(envEntry(container, "HOST_IP"), "valueFrom.fieldRef.fieldPath"));
    assertEquals("spec.nodeName", at(envEntry(container, "NODE_NAME"), "valueFrom.fieldRef.fieldPath"));
    assertEquals("$(NODE_NAME)=http://$(HOST_IP):9400/metrics", envEntry(container, "STREAMER_SOURCE_TARGETS").get("value"));

    PipelineSettings settings = settings(chart, "streamer", tmp);

    assertEquals(List.of(new ScrapeTarget("http://" + HOST_IP + ":9400/metrics", NODE_NAME)),
        settings.streamer().source().targets(), "after Kubernetes expands $(HOST_IP) and $(NODE_NAME)");
    assertEquals(Duration.ofSeconds(15), settings.streamer().source().interval());
    assertEquals(1, settings.streamer().instanceCount(), "each pod owns its single target: no split");
    assertEquals(Map.of("nvidia.com/gpu.present", "true"), podSpec(streamer).get("nodeSelector"));
    assertEquals("nvidia.com/gpu", at(list(podSpec(streamer).get("tolerations")).get(0), "key"));
    assertTrue(egressPorts(chart, "streamer").contains(9400), "the NetworkPolicy lets the streamer reach port 9400");
    assertTrue(!egressPorts(chart, "collector").contains(9400), "only the streamers scrape");

    RenderedChart otherPort = RenderedChart.renderFiles("telemetry-pipeline",
        List.of(RenderedChart.CHART.resolve("values-dcgm-daemonset.yaml")),
        sets("postgresql.auth.password", DB_PASSWORD, "streamer.source.nodeExporter.port", "9500"));
    assertEquals("$(NODE_NAME)=http://$(HOST_IP):9500/metrics",
        envEntry(container(otherPort.workload("streamer")), "STREAMER_SOURCE_TARGETS").get("value"));
    assertTrue(egressPorts(otherPort, "streamer").contains(9500));
  }

  @Test
  void aSimulatedFleetReachesTheJar(@TempDir Path tmp) throws IOException {
    RenderedChart chart = render("streamer.source.type", "simulate", "streamer.source.gpus", "1000",
        "streamer.source.gpusPerHost", "4", "streamer.source.seed", "7", "streamer.source.interval", "500ms",
        "streamer.source.metrics[0]", "gpu_util", "streamer.source.metrics[1]", "gpu_temp");
    JsonObject block = descriptorOf(chart, chart.workload("streamer")).getJsonObject("streamer").getJsonObject("source");
    assertEquals(new JsonArray().add("gpu_util").add("gpu_temp"), block.getJsonArray("metrics"));
    SourceSettings source = settings(chart, "streamer", tmp).streamer().source();
    assertEquals(SourceType.SIMULATE, source.type());
    assertEquals(1000, source.gpus());
    assertEquals(4, source.gpusPerHost());
    assertEquals(7, source.seed());
    assertEquals(Duration.ofMillis(500), source.interval());
    assertEquals(250, source.fleet().hosts(), "1000 GPUs, 4 per host");
  }

  @Test
  void theDefaultSourceIsTheCsvReplay(@TempDir Path tmp) throws IOException {
    JsonObject block = descriptorOf(Mode.DEFAULT.render(), Mode.DEFAULT.render().workload("streamer"))
        .getJsonObject("streamer").getJsonObject("source");
    assertEquals(new JsonObject().put("type", "csv"), block, "only the type: the jar's defaults for the rest");
  }

  /** TCP ports a component's NetworkPolicy lets it reach on any address (rules with ports and no peers). */
  private static Set<Integer> egressPorts(RenderedChart chart, String component) {
    Map<String, Object> policy = chart.ofKind("NetworkPolicy").stream().filter(p -> component(p).equals(component))
        .findFirst().orElseThrow();
    Set<Integer> ports = new HashSet<>();
    for (Object rule : list(at(policy, "spec.egress"))) {
      if (map(rule).get("to") == null && map(rule).get("ports") != null) {
        for (Object port : list(map(rule).get("ports"))) {
          if (map(port).get("port") instanceof Number n) {
            ports.add(n.intValue());
          }
        }
      }
    }
    return ports;
  }
}
