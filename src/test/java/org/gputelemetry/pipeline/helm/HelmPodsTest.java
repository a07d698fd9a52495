package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.checksum;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorText;
import static org.gputelemetry.pipeline.helm.HelmReleases.everyRendering;
import static org.gputelemetry.pipeline.helm.HelmReleases.inClusterRedis;
import static org.gputelemetry.pipeline.helm.HelmReleases.sha256;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.containers;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.labels;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.gputelemetry.pipeline.helm.RenderedChart.podSpec;
import static org.gputelemetry.pipeline.helm.RenderedChart.podTemplate;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;

/**
 * The pods' shape: probes, a non-root read-only container, the descriptor checksum that rolls them, selectors,
 * Hazelcast discovery through a headless Service, and the streamers' input split and spool.
 */
class HelmPodsTest {

  @Test
  void probesPointAtHealthAndReadyOnADeclaredPort() {
    everyRendering().forEach(chart -> {
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        Map<String, Object> container = container(workload);
        String where = chart.release + "/" + name(workload);
        String port = component(workload).equals("api-gateway") ? "http" : "ops";
        assertEquals("/health", at(container, "livenessProbe.httpGet.path"), where);
        assertEquals("/ready", at(container, "readinessProbe.httpGet.path"), where);
        assertEquals(port, at(container, "livenessProbe.httpGet.port"), where);
        assertEquals(port, at(container, "readinessProbe.httpGet.port"), where);
        assertTrue(list(container.get("ports")).stream().anyMatch(p -> port.equals(map(p).get("name"))), where);
      }
      if (!chart.ofKind("Service").stream().filter(s -> component(s).equals("api-gateway")).toList().isEmpty()) {
        Map<String, Object> gateway = container(chart.workload("api-gateway"));
        assertEquals(8080, list(gateway.get("ports")).stream().map(RenderedChart::map)
            .filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow().get("containerPort"));
      }
    });
  }

  @Test
  void everyContainerRunsNonRootWithAReadOnlyRootFilesystem() {
    everyRendering().forEach(chart -> {
      for (Map<String, Object> workload : chart.workloads()) {
        Map<String, Object> podSecurity = map(podSpec(workload).getOrDefault("securityContext", Map.of()));
        for (Map<String, Object> container : containers(workload)) {
          String where = chart.release + "/" + name(workload) + "/" + container.get("name");
          Map<String, Object> security = map(container.getOrDefault("securityContext", Map.of()));
          Object nonRoot = security.getOrDefault("runAsNonRoot", podSecurity.get("runAsNonRoot"));
          Object user = security.getOrDefault("runAsUser", podSecurity.get("runAsUser"));
          assertEquals(true, nonRoot, where + " runAsNonRoot");
          assertTrue(user instanceof Number n && n.intValue() > 0, where + " runAsUser " + user);
          assertEquals(true, security.get("readOnlyRootFilesystem"), where + " readOnlyRootFilesystem");
          assertEquals(false, security.get("allowPrivilegeEscalation"), where + " allowPrivilegeEscalation");
          assertEquals(List.of("ALL"), at(security, "capabilities.drop"), where + " capabilities");
        }
      }
    });
  }

  @Test
  void podTemplatesCarryTheChecksumOfTheirDescriptor() {
    everyRendering().forEach(chart -> {
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        Object checksum = at(podTemplate(workload), "metadata.annotations");
        String value = String.valueOf(map(checksum).get("checksum/config"));
        assertEquals(sha256(descriptorText(chart, workload).stripTrailing()), value,
            chart.release + "/" + name(workload) + " checksum/config");
      }
    });
    RenderedChart changed = RenderedChart.render("telemetry-pipeline", null,
        sets("postgresql.auth.password", DB_PASSWORD, "streamer.config.batchSize", "1000"));
    RenderedChart base = Mode.DEFAULT.render();
    assertNotEquals(checksum(base, "streamer"), checksum(changed, "streamer"), "a config change rolls the streamers");
    assertEquals(checksum(base, "collector"), checksum(changed, "collector"), "and nothing else");
  }

  @Test
  void selectorsNameTheComponentAndCarryNoVersion() {
    everyRendering().forEach(chart -> {
      for (Map<String, Object> workload : chart.workloads()) {
        Map<String, Object> selector = map(at(workload, "spec.selector.matchLabels"));
        String where = chart.release + "/" + name(workload);
        assertFalse(selector.containsKey("app.kubernetes.io/version"), where);
        assertFalse(selector.containsKey("helm.sh/chart"), where);
        assertEquals(component(workload), selector.get("app.kubernetes.io/component"), where);
        assertEquals(chart.release, selector.get("app.kubernetes.io/instance"), where);
        assertTrue(labels(podTemplate(workload)).entrySet().containsAll(selector.entrySet()), where);
      }
    });
  }

  @Test
  void clusteredTransportFindsItsMembersThroughAHeadlessService() {
    RenderedChart chart = Mode.DEFAULT.render();
    Map<String, Object> hazelcast = chart.named("Service", "telemetry-pipeline-hazelcast");

    assertEquals("None", at(hazelcast, "spec.clusterIP"));
    assertEquals(5701, at(map(list(at(hazelcast, "spec.ports")).get(0)), "port"));
    Map<String, Object> selector = map(at(hazelcast, "spec.selector"));
    for (Map<String, Object> workload : chart.pipelineWorkloads()) {
      assertTrue(labels(podTemplate(workload)).entrySet().containsAll(selector.entrySet()), name(workload));
      assertEquals("true", at(envEntry(container(workload), "CLUSTER_KUBERNETES"), "value"));
      assertEquals(true, podSpec(workload).get("automountServiceAccountToken"), "Hazelcast discovery reads the API");
    }
    assertFalse(chart.ofKind("Role").isEmpty(), "discovery RBAC");
    assertTrue(labels(podTemplate(chart.workload("postgresql"))).entrySet().stream()
        .noneMatch(e -> selector.containsKey(e.getKey()) && e.getKey().startsWith("gputelemetry.org")),
        "the database is no Hazelcast member");
  }

  @Test
  void everyPipelinePodCarriesTheReleasesClusterId() {
    Map<Mode, String> expected = Map.of(Mode.DEFAULT, "local", Mode.SAME_CLUSTER, "local", Mode.EDGE, "edge",
        Mode.CENTRAL, "central", Mode.DCGM_DAEMONSET, "local");
    expected.forEach((mode, id) -> {
      List<Map<String, Object>> workloads = mode.render().pipelineWorkloads();
      assertFalse(workloads.isEmpty(), mode.name());
      for (Map<String, Object> workload : workloads) {
        assertEquals(id, at(envEntry(container(workload), "CLUSTER_ID"), "value"), mode + "/" + name(workload));
      }
    });
    RenderedChart site = RenderedChart.render("telemetry-edge", "values-edge-cluster.yaml",
        sets("externalRedis.existingSecret", "telemetry-redis-credentials", "clusterId", "edge-eu1"));
    assertEquals("edge-eu1", at(envEntry(container(site.workload("streamer")), "CLUSTER_ID"), "value"));
  }

  @Test
  void edgeStreamersSplitTheInputByOrdinalAndSpoolPerPod() {
    Map<String, Object> streamer = Mode.EDGE.render().workload("streamer");
    Map<String, Object> container = container(streamer);

    assertEquals("StatefulSet", streamer.get("kind"));
    assertEquals(String.valueOf(at(streamer, "spec.replicas")), at(envEntry(container, "STREAMER_INSTANCE_COUNT"), "value"));
    assertEquals("metadata.labels['apps.kubernetes.io/pod-index']",
        at(envEntry(container, "STREAMER_INSTANCE_INDEX"), "valueFrom.fieldRef.fieldPath"));
    Object spoolDir = at(envEntry(container, "SPOOL_DIR"), "value");
    assertTrue(list(container.get("volumeMounts")).stream().map(RenderedChart::map)
        .anyMatch(m -> "spool".equals(m.get("name")) && spoolDir.equals(m.get("mountPath"))));
    assertEquals("spool", at(map(list(at(streamer, "spec.volumeClaimTemplates")).get(0)), "metadata.name"));
  }

  @Test
  void singleStreamerDeploymentSpoolsToItsOwnClaim() {
    RenderedChart chart = inClusterRedis();
    Map<String, Object> streamer = chart.workload("streamer");

    assertEquals("Deployment", streamer.get("kind"));
    assertEquals("Recreate", at(streamer, "spec.strategy.type"));
    String claim = list(podSpec(streamer).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> "spool".equals(v.get("name"))).map(v -> String.valueOf(at(v, "persistentVolumeClaim.claimName")))
        .findFirst().orElseThrow();
    chart.named("PersistentVolumeClaim", claim);
    assertEquals("telemetry-redis-telemetry-pipeline-redis",
        new JsonObject(descriptorText(chart, streamer)).getJsonObject("transport").getJsonObject("redis").getString("host"));
  }
}
