package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.NON_JAR_ENV;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorOf;
import static org.gputelemetry.pipeline.helm.HelmReleases.everyRendering;
import static org.gputelemetry.pipeline.helm.HelmReleases.podEnvironment;
import static org.gputelemetry.pipeline.helm.HelmReleases.role;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.env;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.config.EnvOverrides;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pods get only settings the jar reads: every container variable is one the jar maps, every
 * descriptor parses with the jar's settings, and the settings a pod starts with are the ones the chart meant.
 */
class HelmJarSettingsTest {

  @Test
  void containerEnvVarsAreOnesTheJarReads() {
    Set<String> jarVariables = EnvOverrides.MAPPINGS.stream().map(EnvOverrides.Mapping::variable)
        .collect(Collectors.toSet());
    everyRendering().forEach(chart -> {
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        for (Map<String, Object> entry : env(container(workload))) {
          String variable = String.valueOf(entry.get("name"));
          assertTrue(jarVariables.contains(variable) || NON_JAR_ENV.contains(variable),
              chart.release + "/" + name(workload) + " sets " + variable + ", which the jar does not read");
        }
      }
    });
  }

  @Test
  void everyDescriptorParsesWithTheJarsSettingsAndNamesItsRole(@TempDir Path tmp) throws IOException {
    for (RenderedChart chart : everyRendering().toList()) {
      int descriptors = 0;
      for (Map<String, Object> configMap : chart.ofKind("ConfigMap")) {
        String descriptor = data(configMap, "descriptor.json");
        if (descriptor == null) {
          continue;
        }
        // with the environment of the pods that mount it: a DaemonSet scraping its node gets its target there
        Map<String, String> env = podEnvironment(container(chart.workload(component(configMap))), tmp);
        PipelineSettings settings = PipelineSettings.fromDescriptor(new JsonObject(descriptor), env);
        assertEquals(List.of(role(component(configMap))), settings.roleNames(), chart.release + "/" + name(configMap));
        descriptors++;
      }
      assertEquals(chart.pipelineWorkloads().size(), descriptors, chart.release + ": one descriptor per component");
    }
  }

  @Test
  void podsStartWithTheSettingsTheChartMeant(@TempDir Path tmp) throws IOException {
    for (RenderedChart chart : everyRendering().toList()) {
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        String where = chart.release + "/" + name(workload);
        Map<String, Object> container = container(workload);
        Map<String, String> env = podEnvironment(container, tmp);

        PipelineSettings settings = PipelineSettings.fromDescriptor(descriptorOf(chart, workload), env);

        assertEquals(List.of(role(component(workload))), settings.roleNames(), where);
        assertEquals("pod-0", settings.instanceId(), where + " instance id is the pod name");
        if (env.containsKey("DB_PASSWORD_FILE")) {
          assertEquals("from-file:DB_PASSWORD_FILE", settings.store().password(), where);
        }
        if (env.containsKey("REDIS_PASSWORD_FILE")) {
          assertEquals("from-file:REDIS_PASSWORD_FILE", settings.transport().redis().password(), where);
        }
        if (!component(workload).equals("streamer")) {
          assertEquals("postgres", settings.store().type().configName(), where);
          assertNotNull(envEntry(container, "DB_PASSWORD_FILE"), where + " reads the database password");
        }
        if (settings.transport().type().configName().equals("clustered")) {
          assertTrue(settings.transport().cluster().kubernetes(), where);
          assertEquals("10.1.2.3", settings.transport().cluster().iface(), where + " binds Hazelcast to the pod IP");
          String service = settings.transport().cluster().kubernetesService();
          Map<String, Object> headless = chart.named("Service", service);
          assertEquals("None", at(headless, "spec.clusterIP"), where);
        }
        if (settings.transport().type().configName().equals("redis")) {
          assertNotNull(envEntry(container, "REDIS_PASSWORD_FILE"), where + " reads the Redis password");
        }
        if ("StatefulSet".equals(workload.get("kind"))) {
          assertEquals(((Number) at(workload, "spec.replicas")).intValue(), settings.streamer().instanceCount(), where);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void modeUsesItsTransport(Mode mode, @TempDir Path tmp) throws IOException {
    for (Map<String, Object> workload : mode.render().pipelineWorkloads()) {
      PipelineSettings settings = PipelineSettings.fromDescriptor(descriptorOf(mode.render(), workload),
          podEnvironment(container(workload), tmp));
      assertEquals(mode.transport, settings.transport().type().configName(), mode + "/" + name(workload));
    }
  }
}
