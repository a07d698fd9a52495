package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.containers;
import static org.gputelemetry.pipeline.helm.RenderedChart.env;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.config.EnvOverrides;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, checked by rendering it in-process (helm-java) and reading the objects back:
 * which components each mode installs, that pods only get settings the jar reads, that secrets
 * stay in Secrets, and the schema and cross-field checks.
 */
class HelmChartTest {

  static final String DB_PASSWORD = "S3cr3t-db-XYZ";
  static final String EXTERNAL_DB_PASSWORD = "S3cr3t-extdb-XYZ";
  static final String REDIS_PASSWORD = "S3cr3t-redis-XYZ";
  static final String IN_CLUSTER_REDIS_PASSWORD = "S3cr3t-inredis-XYZ";
  /** The Secret scripts/deploy-cross-cluster.sh creates in each cluster and names in the releases. */
  static final String REDIS_SECRET = "telemetry-redis-credentials";
  /** A CA certificate as users paste it into the values (the chart only checks it is PEM-shaped). */
  static final String CA_PEM = """
      -----BEGIN CERTIFICATE-----
      MIIDXTCCAkWgAwIBAgIJAKoK/heBjcOuMA0GCSqGSIb3DQEBBQUAMEUxCzAJBgNV
      -----END CERTIFICATE-----
      """;

  /** Container variables that are not jar settings but the image's and the chart's own. */
  static final Set<String> NON_JAR_ENV = Set.of("DESCRIPTOR", "JAVA_OPTS", "POD_NAME", "OPS_PORT");

  /** The values files users install with, each as the release the docs name. */
  enum Mode {
    DEFAULT("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD),
        Set.of("streamer", "collector", "api-gateway", "postgresql"), "clustered"),
    SAME_CLUSTER("telemetry-pipeline", "values-same-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD),
        Set.of("streamer", "collector", "api-gateway", "postgresql"), "clustered"),
    EDGE("telemetry-edge", "values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET),
        Set.of("streamer"), "redis"),
    CENTRAL("telemetry-central", "values-central-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD,
        "externalRedis.existingSecret", REDIS_SECRET), Set.of("collector", "api-gateway", "postgresql"), "redis");

    final String release;
    final String valuesFile;
    final Map<String, String> sets;
    final Set<String> workloads;
    final String transport;

    Mode(String release, String valuesFile, Map<String, String> sets, Set<String> workloads, String transport) {
      this.release = release;
      this.valuesFile = valuesFile;
      this.sets = sets;
      this.workloads = workloads;
      this.transport = transport;
    }

    RenderedChart render() {
      return cached(name(), () -> RenderedChart.render(release, valuesFile, sets));
    }
  }

  /** Every optional feature switched on: external services with passwords and CAs, monitoring, ingress. */
  static RenderedChart allFeatures() {
    return cached("allFeatures", () -> RenderedChart.render("telemetry-full", null, sets(
        "postgresql.enabled", "false",
        "externalDatabase.host", "db.example.com",
        "externalDatabase.password", EXTERNAL_DB_PASSWORD,
        "externalDatabase.sslMode", "verify-full",
        "externalDatabase.caCertSecret", "db-ca",
        "transport.type", "redis",
        "externalRedis.enabled", "true",
        "externalRedis.host", "redis.example.com",
        "externalRedis.password", REDIS_PASSWORD,
        "externalRedis.tls.enabled", "true",
        "externalRedis.tls.caCertSecret", "redis-ca",
        "streamer.kind", "DaemonSet",
        "apiGateway.cors.enabled", "true",
        "apiGateway.cors.allowedOrigins[0]", "https://dashboard.example.com",
        "apiGateway.ingress.enabled", "true",
        "networkPolicy.enabled", "true",
        "monitoring.serviceMonitor.enabled", "true",
        "monitoring.prometheusRule.enabled", "true",
        "monitoring.grafana.enabled", "true",
        "collector.autoscaling.enabled", "true",
        "apiGateway.podDisruptionBudget.enabled", "true")));
  }

  /** The redis transport on an in-cluster Redis, with a one-replica streamer Deployment spooling to a PVC. */
  static RenderedChart inClusterRedis() {
    return cached("inClusterRedis", () -> RenderedChart.render("telemetry-redis", null, sets(
        "postgresql.auth.password", DB_PASSWORD,
        "transport.type", "redis",
        "redis.enabled", "true",
        "redis.auth.password", IN_CLUSTER_REDIS_PASSWORD,
        "streamer.kind", "Deployment",
        "mq.persistence.enabled", "true",
        "networkPolicy.enabled", "true")));
  }

  static Stream<RenderedChart> everyRendering() {
    return Stream.concat(Stream.of(Mode.values()).map(Mode::render), Stream.of(allFeatures(), inClusterRedis()));
  }

  private static final Map<String, RenderedChart> CACHE = new ConcurrentHashMap<>();

  private static RenderedChart cached(String key, java.util.function.Supplier<RenderedChart> render) {
    return CACHE.computeIfAbsent(key, k -> render.get());
  }

  // ------------------------------------------------------------------------------------------
  // lint and modes

  @ParameterizedTest
  @EnumSource(Mode.class)
  void lintStrictPassesForEveryValuesFile(Mode mode, @TempDir Path tmp) throws IOException {
    // helm-java's lint takes no -f or --set: lint a copy of the chart whose values.yaml is the
    // chart's defaults overlaid with the mode's file and the --set pairs it is installed with
    // (make helm-lint passes the same), as `helm lint -f ... --set ...` would merge them.
    String valuesFile = mode.valuesFile == null ? "values.yaml" : mode.valuesFile;
    Path copy = tmp.resolve("telemetry-pipeline");
    copyTree(RenderedChart.CHART, copy);
    Yaml yaml = new Yaml();
    Map<String, Object> merged = yaml.load(Files.readString(RenderedChart.CHART.resolve("values.yaml")));
    if (mode.valuesFile != null) {
      merged = deepMerge(merged, yaml.load(Files.readString(RenderedChart.CHART.resolve(valuesFile))));
    }
    merged = deepMerge(merged, nested(mode.sets));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Files.writeString(copy.resolve("values.yaml"), new Yaml(options).dump(merged));

    LintResult result = new Helm(copy).lint().strict().call();

    assertFalse(result.isFailed(), () -> "helm lint --strict -f " + valuesFile + ":\n"
        + String.join("\n", result.getMessages()));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void eachModeRendersItsComponentsOnly(Mode mode) {
    RenderedChart chart = mode.render();

    Set<String> components = chart.workloads().stream().map(RenderedChart::component).collect(Collectors.toSet());

    assertEquals(mode.workloads, components, mode + " workloads");
    Set<String> configured = chart.ofKind("ConfigMap").stream().map(RenderedChart::component)
        .filter(RenderedChart.PIPELINE_COMPONENTS::contains).collect(Collectors.toSet());
    assertEquals(mode.workloads.stream().filter(RenderedChart.PIPELINE_COMPONENTS::contains)
        .collect(Collectors.toSet()), configured, mode + " descriptors");
  }

  @Test
  void edgeRendersStreamerWorkloadsOnlyAndCentralNone() {
    assertTrue(Mode.EDGE.render().pipelineWorkloads().stream().allMatch(w -> component(w).equals("streamer")));
    assertTrue(Mode.CENTRAL.render().workloads().stream().noneMatch(w -> component(w).equals("streamer")));
    assertTrue(Mode.EDGE.render().ofKind("Service").stream()
        .noneMatch(s -> component(s).equals("api-gateway")), "the edge serves no API");
  }

  @Test
  void edgeAndCentralReleasesDoNotCollide() {
    Set<String> edge = kindAndNames(Mode.EDGE.render());
    Set<String> central = kindAndNames(Mode.CENTRAL.render());

    Set<String> shared = new TreeSet<>(edge);
    shared.retainAll(central);
    assertTrue(shared.isEmpty(), "objects both releases would own: " + shared);
    for (Mode mode : Mode.values()) {
      List<String> all = mode.render().objects.stream().map(o -> o.get("kind") + "/" + name(o)).toList();
      assertEquals(all.size(), new HashSet<>(all).size(), mode + " renders two objects with one name: " + all);
    }
  }

  // ------------------------------------------------------------------------------------------
  // only settings the jar reads

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
  void everyDescriptorParsesWithTheJarsSettingsAndNamesItsRole() {
    everyRendering().forEach(chart -> {
      int descriptors = 0;
      for (Map<String, Object> configMap : chart.ofKind("ConfigMap")) {
        String descriptor = data(configMap, "descriptor.json");
        if (descriptor == null) {
          continue;
        }
        PipelineSettings settings = PipelineSettings.fromJson(new JsonObject(descriptor));
        assertEquals(List.of(role(component(configMap))), settings.roleNames(), chart.release + "/" + name(configMap));
        descriptors++;
      }
      assertEquals(chart.pipelineWorkloads().size(), descriptors, chart.release + ": one descriptor per component");
    });
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

  // ------------------------------------------------------------------------------------------
  // secrets

  @Test
  void passwordsAppearOnlyInSecrets() {
    Map<RenderedChart, List<String>> renderings = new LinkedHashMap<>();
    renderings.put(Mode.DEFAULT.render(), List.of(DB_PASSWORD));
    renderings.put(Mode.SAME_CLUSTER.render(), List.of(DB_PASSWORD));
    renderings.put(Mode.CENTRAL.render(), List.of(DB_PASSWORD));
    renderings.put(allFeatures(), List.of(EXTERNAL_DB_PASSWORD, REDIS_PASSWORD));
    renderings.put(inClusterRedis(), List.of(DB_PASSWORD, IN_CLUSTER_REDIS_PASSWORD));
    renderings.put(RenderedChart.render("telemetry-edge", "values-edge-cluster.yaml",
        sets("externalRedis.password", REDIS_PASSWORD)), List.of(REDIS_PASSWORD));

    renderings.forEach((chart, passwords) -> {
      for (String password : passwords) {
        for (String document : chart.nonSecretDocuments()) {
          assertFalse(document.contains(password), chart.release + ": password in a non-Secret object:\n" + document);
        }
        String encoded = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
        assertTrue(chart.ofKind("Secret").stream().anyMatch(s -> encoded.equals(at(s, "data.password"))),
            chart.release + ": no Secret holds the password given");
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // schema and cross-field checks

  @ParameterizedTest
  @MethodSource("wrongValues")
  void schemaRejectsWrongValues(String key, String value) {
    Exception e = assertThrows(Exception.class,
        () -> RenderedChart.render("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD, key, value)));
    assertTrue(e.getMessage().contains(key.substring(key.lastIndexOf('.') + 1)), e.getMessage());
  }

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        Arguments.of("streamer.kind", "Job"),
        Arguments.of("transport.type", "kafka"),
        Arguments.of("store.type", "mysql"),
        Arguments.of("streamer.config.timestampMode", "wallclock"),
        Arguments.of("streamer.config.streamInterval", "0s"),
        Arguments.of("collector.config.pollInterval", "soon"),
        Arguments.of("collector.config.workers", "65"),
        Arguments.of("externalDatabase.sslMode", "allow"),
        Arguments.of("externalRedis.database", "16"),
        Arguments.of("externalRedis.auth.passwordKey", "password"),
        Arguments.of("externalRedis.tls.caBundle", "x"),
        Arguments.of("externalDatabase.usr", "telemetry"),
        Arguments.of("collector.persistence.mountPath", "/data"),
        Arguments.of("streamer.replicas", "3"),
        Arguments.of("postgres", "true"));
  }

  @ParameterizedTest
  @MethodSource("inconsistentValues")
  void crossFieldChecksFailWithAClearMessage(String valuesFile, Map<String, String> sets, String message) {
    Exception e = assertThrows(Exception.class, () -> RenderedChart.render("telemetry-pipeline", valuesFile, sets));
    assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
  }

  static Stream<Arguments> inconsistentValues() {
    return Stream.of(
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.host", "", "externalRedis.existingSecret", REDIS_SECRET),
            "externalRedis.enabled=true needs externalRedis.host"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.enabled", "false", "externalRedis.existingSecret", REDIS_SECRET),
            "externalRedis.host is set but externalRedis.enabled=false: set externalRedis.enabled=true"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "transport.type", "redis"),
            "transport.type=redis needs a Redis: set externalRedis.enabled=true and externalRedis.host"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "externalRedis.enabled", "true",
            "externalRedis.host", "redis.example.com"), "externalRedis.enabled=true, but transport.type=clustered does not use Redis"),
        Arguments.of("values-edge-cluster.yaml", sets("redis.enabled", "true", "externalRedis.existingSecret", REDIS_SECRET),
            "both redis.enabled=true and externalRedis.enabled=true"),
        Arguments.of("values-edge-cluster.yaml", sets(), "externalRedis needs a password: set externalRedis.existingSecret"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.password", REDIS_PASSWORD,
            "externalRedis.auth.existingSecret", "redis-credentials"), "give the password once"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.auth.existingSecret", "redis-credentials"), "name different Secrets"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.enabled", "true", "externalRedis.tls.caCert", "redis-ca"),
            "externalRedis.tls.caCert holds the CA certificate itself (PEM"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.caCertSecret", "redis-ca"), "set externalRedis.tls.enabled=true"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.enabled", "true", "externalRedis.tls.caCert", CA_PEM, "externalRedis.tls.caCertSecret", "redis-ca"),
            "give the CA certificate once"),
        Arguments.of(null, sets("postgresql.enabled", "false", "externalDatabase.host", "db.example.com",
            "externalDatabase.user", "telemetry_user"), "set externalDatabase.username=telemetry_user instead"),
        Arguments.of(null, sets("postgresql.enabled", "false", "externalDatabase.host", "db.example.com",
            "externalDatabase.caCert", "db-ca"), "externalDatabase.caCert holds the CA certificate itself (PEM"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "collector.persistence.size", "50Gi"),
            "collector.persistence is not supported: collectors keep no state on disk"),
        Arguments.of("values-central-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD,
            "externalRedis.existingSecret", REDIS_SECRET, "collector.persistence.enabled", "true"),
            "postgresql.persistence.size (the samples, in-cluster PostgreSQL) and mq.persistence"),
        Arguments.of(null, sets("postgresql.enabled", "false"),
            "store.type=postgres needs a database for the collector/apiGateway: set externalDatabase.host"),
        Arguments.of(null, sets("postgresql.enabled", "false", "store.type", "memory", "collector.replicaCount", "2"),
            "store.type=memory keeps samples inside each collector pod"),
        Arguments.of(null, sets("postgresql.enabled", "false", "store.type", "memory", "apiGateway.enabled", "false",
            "collector.replicaCount", "2"), "store.type=memory with more than one collector replica"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "transport.type", "local"),
            "transport.type=local only works inside one JVM"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.autoscaling.enabled", "true"),
            "streamer.autoscaling needs streamer.kind=Deployment"),
        Arguments.of("values-edge-cluster.yaml", sets("streamer.kind", "DaemonSet", "externalRedis.existingSecret", REDIS_SECRET),
            "mq.persistence needs one volume per streamer pod"),
        Arguments.of("values-edge-cluster.yaml", sets("streamer.kind", "Deployment", "externalRedis.existingSecret", REDIS_SECRET),
            "mq.persistence with a streamer Deployment of more than one replica"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "externalDatabase.host", "db.example.com"),
            "both postgresql.enabled=true and externalDatabase.host are set"),
        Arguments.of("values-central-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD,
            "postgresql.auth.existingSecret", "db", "externalRedis.existingSecret", REDIS_SECRET), "give the password once"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "collector.autoscaling.enabled", "true",
            "collector.autoscaling.minReplicas", "5", "collector.autoscaling.maxReplicas", "2"),
            "collector.autoscaling.minReplicas (5) is greater than maxReplicas (2)"),
        Arguments.of(null, sets("streamer.enabled", "false", "collector.enabled", "false", "apiGateway.enabled", "false",
            "postgresql.enabled", "false"), "nothing to install"));
  }

  // ------------------------------------------------------------------------------------------
  // pods

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

  // ------------------------------------------------------------------------------------------
  // the seeds' spellings of the external services (seeds 000 and 001), rendered as users write them

  /** Seed 000, "External Services Configuration", verbatim. */
  static final String SEED_000_EXTERNAL_SERVICES = """
      # External database
      postgresql:
        enabled: false

      externalDatabase:
        host: "postgres.company.com"
        port: 5432
        username: "telemetry_user"
        password: "secure-password"
        database: "telemetry_prod"
        sslMode: "require"

      # External Redis
      redis:
        enabled: false

      externalRedis:
        enabled: true
        host: "redis.company.com"
        port: 6379
        password: "redis-password"
        tls:
          enabled: true
      """;

  /** Seed 000, "TLS Configuration", verbatim: the CA certificate inline as PEM. */
  static final String SEED_000_TLS = """
      externalRedis:
        tls:
          enabled: true
          skipVerify: false
          caCert: |
            -----BEGIN CERTIFICATE-----
            ...
            -----END CERTIFICATE-----

      externalDatabase:
        sslMode: "require"
      """;

  /** Seed 001, "External Redis Configuration", verbatim: a password and auth.existingSecret both. */
  static final String SEED_001_EXTERNAL_REDIS = """
      externalRedis:
        enabled: true
        host: "redis.shared-infra.company.com"
        port: 6379
        password: "your-redis-password"
        database: 0
        tls:
          enabled: true
          skipVerify: false
          caCert: |
            -----BEGIN CERTIFICATE-----
            ...your CA certificate...
            -----END CERTIFICATE-----
        auth:
          enabled: true
          existingSecret: "redis-credentials"
          existingSecretPasswordKey: "password"
      """;

  @Test
  void seed000ExternalServicesBlockRendersOnTheCentralValues(@TempDir Path tmp) throws IOException {
    RenderedChart chart = renderWith("telemetry-central", "values-central-cluster.yaml", tmp,
        List.of(SEED_000_EXTERNAL_SERVICES), sets());

    assertEquals(Set.of("collector", "api-gateway"),
        chart.workloads().stream().map(RenderedChart::component).collect(Collectors.toSet()), "no in-cluster database");
    for (String component : List.of("collector", "api-gateway")) {
      Map<String, Object> workload = chart.workload(component);
      JsonObject descriptor = descriptorOf(chart, workload);
      JsonObject store = descriptor.getJsonObject("store");
      assertEquals("postgres.company.com", store.getString("host"), component);
      assertEquals(5432, store.getInteger("port"), component);
      assertEquals("telemetry_user", store.getString("user"), component + ": externalDatabase.username");
      assertEquals("telemetry_prod", store.getString("database"), component);
      assertEquals("require", store.getString("sslMode"), component);
      assertFalse(store.containsKey("sslRootCert"), component);
      JsonObject redis = descriptor.getJsonObject("transport").getJsonObject("redis");
      assertEquals("redis.company.com", redis.getString("host"), component);
      assertEquals(6379, redis.getInteger("port"), component);
      assertEquals(true, redis.getJsonObject("tls").getBoolean("enabled"), component);
      assertNotNull(envEntry(container(workload), "DB_PASSWORD_FILE"), component);
      assertNotNull(envEntry(container(workload), "REDIS_PASSWORD_FILE"), component);
    }
    assertEquals(b64("secure-password"), at(chart.named("Secret", "telemetry-central-telemetry-pipeline-external-db"),
        "data.password"));
    assertEquals(b64("redis-password"), at(chart.named("Secret", "telemetry-central-telemetry-pipeline-external-redis"),
        "data.password"));
    // the mounted file is called redis-password too, so look for the password as a value, not a file name
    java.util.regex.Pattern redisPassword = java.util.regex.Pattern.compile("(?<![/\\w-])(?<!path: )redis-password");
    for (String document : chart.nonSecretDocuments()) {
      assertFalse(document.contains("secure-password"), document);
      assertFalse(redisPassword.matcher(document).find(), document);
    }
  }

  @Test
  void seed000InlineCaCertificateIsMountedWhereTheDescriptorPointsTheJar(@TempDir Path tmp) throws IOException {
    RenderedChart central = renderWith("telemetry-central", "values-central-cluster.yaml", tmp,
        List.of(SEED_000_EXTERNAL_SERVICES, SEED_000_TLS), sets());
    RenderedChart edge = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_000_TLS), sets("externalRedis.existingSecret", REDIS_SECRET));

    for (RenderedChart chart : List.of(central, edge)) {
      Map<String, Object> caCerts = chart.named("ConfigMap", chart.release + "-telemetry-pipeline-ca-certs");
      assertEquals("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----", data(caCerts, "redis-ca.crt").strip());
      assertEquals(null, data(caCerts, "db-ca.crt"), "seed 000 gives no database CA");
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        String where = chart.release + "/" + name(workload);
        String path = descriptorOf(chart, workload).getJsonObject("transport").getJsonObject("redis")
            .getJsonObject("tls").getString("caCert");
        assertEquals("/etc/telemetry/tls/redis-ca.crt", path, where);
        assertEquals(Map.of("configMap", name(caCerts), "key", "redis-ca.crt"), mountedFile(workload, path), where);
        assertNotNull(at(podTemplate(workload), "metadata.annotations.checksum/ca"), where + " rolls on a new CA");
      }
    }
  }

  @Test
  void externalDatabaseCaCertificateMayBeInlineToo(@TempDir Path tmp) throws IOException {
    String db = """
        postgresql:
          enabled: false
        externalDatabase:
          host: db.example.com
          username: telemetry_user
          sslMode: verify-full
          caCert: |
        """ + CA_PEM.indent(4);
    RenderedChart chart = renderWith("telemetry-central", "values-central-cluster.yaml", tmp, List.of(db),
        sets("externalRedis.existingSecret", REDIS_SECRET));

    Map<String, Object> caCerts = chart.named("ConfigMap", "telemetry-central-telemetry-pipeline-ca-certs");
    assertEquals(CA_PEM.strip(), data(caCerts, "db-ca.crt").strip());
    for (Map<String, Object> workload : chart.pipelineWorkloads()) {
      String path = descriptorOf(chart, workload).getJsonObject("store").getString("sslRootCert");
      assertEquals("/etc/telemetry/tls/db-ca.crt", path, name(workload));
      assertEquals(Map.of("configMap", name(caCerts), "key", "db-ca.crt"), mountedFile(workload, path), name(workload));
    }
  }

  @Test
  void caCertificateFromAnExistingSecret() {
    RenderedChart chart = allFeatures();

    Map<String, Object> collector = chart.workload("collector");
    JsonObject descriptor = descriptorOf(chart, collector);
    assertEquals(Map.of("secret", "redis-ca", "key", "ca.crt"), mountedFile(collector,
        descriptor.getJsonObject("transport").getJsonObject("redis").getJsonObject("tls").getString("caCert")));
    assertEquals(Map.of("secret", "db-ca", "key", "ca.crt"), mountedFile(collector,
        descriptor.getJsonObject("store").getString("sslRootCert")));
    assertEquals(Map.of("secret", "redis-ca", "key", "ca.crt"), mountedFile(chart.workload("streamer"),
        descriptorOf(chart, chart.workload("streamer")).getJsonObject("transport").getJsonObject("redis")
            .getJsonObject("tls").getString("caCert")));
    assertTrue(chart.ofKind("ConfigMap").stream().noneMatch(c -> name(c).endsWith("-ca-certs")), "nothing inline");
  }

  @Test
  void aChangedInlineCaRollsThePodsThatMountIt(@TempDir Path tmp) throws IOException {
    RenderedChart one = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(SEED_000_TLS),
        sets("externalRedis.existingSecret", REDIS_SECRET));
    RenderedChart other = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_000_TLS.replace("...", "MIIDXTCCAkWgAwIBAgIJ")), sets("externalRedis.existingSecret", REDIS_SECRET));

    Object before = at(podTemplate(one.workload("streamer")), "metadata.annotations");
    Object after = at(podTemplate(other.workload("streamer")), "metadata.annotations");
    assertNotEquals(map(before).get("checksum/ca"), map(after).get("checksum/ca"));
    assertEquals(map(before).get("checksum/config"), map(after).get("checksum/config"), "the descriptor names a path only");
  }

  @Test
  void seed001CommandsInstallTheEdgeAndCentralReleases() {
    // Seed 001, "Scenario 3: Separate Kubernetes Clusters", flag for flag.
    RenderedChart edge = RenderedChart.render("telemetry-edge", "values-edge-cluster.yaml", sets(
        "externalRedis.enabled", "true",
        "externalRedis.host", "redis.shared-infra.company.com",
        "externalRedis.password", "your-redis-password",
        "externalRedis.tls.enabled", "true"));
    RenderedChart central = RenderedChart.render("telemetry-central", "values-central-cluster.yaml", sets(
        "externalRedis.enabled", "true",
        "externalRedis.host", "redis.shared-infra.company.com",
        "externalRedis.password", "your-redis-password",
        "postgresql.auth.password", "your-db-password"));

    for (RenderedChart chart : List.of(edge, central)) {
      assertEquals(b64("your-redis-password"), at(chart.named("Secret", chart.release + "-telemetry-pipeline-external-redis"),
          "data.password"), chart.release);
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        JsonObject redis = descriptorOf(chart, workload).getJsonObject("transport").getJsonObject("redis");
        assertEquals("redis.shared-infra.company.com", redis.getString("host"), name(workload));
        assertEquals(chart == edge, redis.getJsonObject("tls").getBoolean("enabled"), name(workload));
        assertNotNull(envEntry(container(workload), "REDIS_PASSWORD_FILE"), name(workload));
      }
    }
    assertEquals(b64("your-db-password"), at(central.named("Secret", "telemetry-central-telemetry-pipeline-postgresql"),
        "data.password"));
  }

  @Test
  void seed001ExternalRedisBlockWithItsNestedExistingSecret(@TempDir Path tmp) throws IOException {
    // As written it names the password twice (inline and auth.existingSecret): refused, not guessed.
    Exception twice = assertThrows(Exception.class, () -> renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_001_EXTERNAL_REDIS), sets()));
    assertTrue(twice.getMessage().contains("give the password once"), twice.getMessage());

    String secretOnly = SEED_001_EXTERNAL_REDIS.replace("  password: \"your-redis-password\"\n", "");
    RenderedChart edge = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(secretOnly), sets());

    Map<String, Object> streamer = edge.workload("streamer");
    Map<String, Object> secrets = projectedVolume(streamer, "secrets");
    assertEquals(List.of(Map.of("secret", Map.of("name", "redis-credentials",
        "items", List.of(Map.of("key", "password", "path", "redis-password"))))), at(secrets, "projected.sources"));
    assertTrue(edge.ofKind("Secret").isEmpty(), "the chart makes no Secret for an existing one");
    assertEquals("/etc/telemetry/tls/redis-ca.crt", descriptorOf(edge, streamer).getJsonObject("transport")
        .getJsonObject("redis").getJsonObject("tls").getString("caCert"));

    RenderedChart noAuth = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(secretOnly),
        sets("externalRedis.auth.enabled", "false", "externalRedis.auth.existingSecret", ""));
    assertEquals(null, envEntry(container(noAuth.workload("streamer")), "REDIS_PASSWORD_FILE"), "auth off: no password");
  }

  @Test
  void collectorPersistenceIsAcceptedOnlyToExplainWhyItIsRefused() {
    // Seed 002: --set collector.persistence.size=50Gi (the schema knows the key, the chart says why it has no use)
    Exception e = assertThrows(Exception.class, () -> RenderedChart.render("telemetry-pipeline", null,
        sets("postgresql.auth.password", DB_PASSWORD, "collector.persistence.size", "50Gi")));
    assertTrue(e.getMessage().contains("collectors keep no state on disk"), e.getMessage());
    assertTrue(e.getMessage().contains("postgresql.persistence.size") && e.getMessage().contains("mq.persistence"),
        e.getMessage());
    assertFalse(e.getMessage().contains("additional properties"), "not a schema error: " + e.getMessage());
  }

  // ------------------------------------------------------------------------------------------
  // extras

  @Test
  void monitoringScrapesMetricsAndAlertsOnThePipelinesMetrics() throws IOException {
    RenderedChart chart = allFeatures();

    Map<String, Object> monitor = chart.ofKind("ServiceMonitor").get(0);
    assertTrue(list(at(monitor, "spec.endpoints")).stream().map(RenderedChart::map)
        .allMatch(e -> "/metrics".equals(e.get("path"))));
    Map<String, String> alerts = new HashMap<>();
    for (Object rule : list(map(list(at(chart.ofKind("PrometheusRule").get(0), "spec.groups")).get(0)).get("rules"))) {
      alerts.put(String.valueOf(map(rule).get("alert")), String.valueOf(map(rule).get("expr")));
    }
    assertTrue(alerts.get("RedisConnectionLost").contains("message_queue_connection_status"));
    assertTrue(alerts.get("RedisConnectionLost").contains("== 0"));
    assertTrue(alerts.get("TelemetryHighEndToEndLag").contains("histogram_quantile"));
    assertTrue(alerts.get("TelemetryHighEndToEndLag").contains("telemetry_end_to_end_lag_seconds_bucket"));
    assertTrue(alerts.get("TelemetryHighRejectRate").contains("rate(telemetry_rows_rejected_total"));
    assertTrue(alerts.containsKey("CollectorDown"));

    Map<String, Object> dashboard = chart.ofKind("ConfigMap").stream()
        .filter(c -> "1".equals(labels(c).get("grafana_dashboard"))).findFirst().orElseThrow();
    String json = data(dashboard, "telemetry-pipeline.json");
    JsonObject parsed = new JsonObject(json);
    assertFalse(parsed.getJsonArray("panels").isEmpty());
    for (String metric : List.of("telemetry_rows_streamed_total", "telemetry_rows_rejected_total",
        "telemetry_batches_sent_total", "telemetry_transport_queue_depth", "telemetry_samples_persisted_total",
        "telemetry_store_write_seconds", "telemetry_end_to_end_lag_seconds", "telemetry_websocket_clients",
        "telemetry_websocket_dropped_total", "message_queue_connection_status")) {
      assertTrue(json.contains(metric), "dashboard panel on " + metric);
    }
  }

  @Test
  void gatewayExtrasRender() {
    RenderedChart chart = allFeatures();

    Map<String, Object> ingress = chart.ofKind("Ingress").get(0);
    assertEquals("telemetry-full-telemetry-pipeline-api-gateway",
        at(map(list(at(map(list(at(ingress, "spec.rules")).get(0)), "http.paths")).get(0)), "backend.service.name"));
    Map<String, Object> gateway = container(chart.workload("api-gateway"));
    assertEquals("https://dashboard.example.com", at(envEntry(gateway, "GATEWAY_CORS_ALLOWED_ORIGINS"), "value"));
    assertEquals("GET,OPTIONS", at(envEntry(gateway, "GATEWAY_CORS_ALLOWED_METHODS"), "value"));
    assertEquals(1, chart.ofKind("HorizontalPodAutoscaler").size());
    assertEquals(1, chart.ofKind("PodDisruptionBudget").size());
    assertEquals(3, chart.ofKind("NetworkPolicy").size());
    assertEquals("DaemonSet", chart.workload("streamer").get("kind"));
  }

  @Test
  void helmTestCurlsTheGatewayHealth() throws IOException {
    // helm-java's template leaves hooks out of its output, so read the template itself.
    String test = Files.readString(RenderedChart.CHART.resolve("templates/tests/test-connection.yaml"));
    assertTrue(test.contains("\"helm.sh/hook\": test"));
    assertTrue(test.contains("/health\""));
    String notes = Files.readString(RenderedChart.CHART.resolve("templates/NOTES.txt"));
    assertTrue(notes.contains("kubectl port-forward"));
    assertTrue(notes.contains("ws://127.0.0.1:8080" + org.gputelemetry.pipeline.gateway.LiveFeed.PATH), "the live feed");
  }

  @Test
  void everyValuesKeyIsCommentedAndInTheDocsReference() throws IOException {
    // Children of Kubernetes (free-form) blocks are documented by their block.
    Set<String> freeForm = Set.of("resources", "podSecurityContext", "securityContext", "labels", "hosts",
        "requests", "limits", "accessModes", "kubeApiPorts", "allowedMethods", "seccompProfile", "capabilities");
    List<String> lines = Files.readAllLines(RenderedChart.CHART.resolve("values.yaml"));
    String docs = Files.readString(Path.of("README.md"));
    java.util.regex.Pattern keyLine = java.util.regex.Pattern.compile("^( *)([A-Za-z_][\\w-]*):");
    List<int[]> indents = new ArrayList<>();
    List<String> path = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      java.util.regex.Matcher m = keyLine.matcher(lines.get(i));
      if (!m.find()) {
        continue;
      }
      int indent = m.group(1).length();
      while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
        indents.remove(indents.size() - 1);
        path.remove(path.size() - 1);
      }
      boolean underFreeForm = path.stream().anyMatch(freeForm::contains);
      indents.add(new int[] {indent});
      path.add(m.group(2));
      if (underFreeForm) {
        continue;
      }
      String key = String.join(".", path);
      String above = i == 0 ? "" : lines.get(i - 1).strip();
      if (!above.startsWith("#") || above.startsWith("##")) {
        problems.add(key + ": no comment above it in values.yaml");
      }
      if (!docs.contains("| `" + key + "` |")) {
        problems.add(key + ": missing from the values reference in README.md");
      }
    }
    assertTrue(path.size() > 0 && problems.isEmpty(), String.join("\n", problems));
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  private static String role(String component) {
    return switch (component) {
      case "api-gateway" -> "gateway";
      case "streamer", "collector" -> component;
      default -> throw new AssertionError("not a pipeline component: " + component);
    };
  }

  private static String descriptorText(RenderedChart chart, Map<String, Object> workload) {
    String configMap = list(podSpec(workload).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> "descriptor".equals(v.get("name"))).map(v -> String.valueOf(at(v, "configMap.name")))
        .findFirst().orElseThrow(() -> new AssertionError(name(workload) + " mounts no descriptor"));
    return data(chart.named("ConfigMap", configMap), "descriptor.json");
  }

  static JsonObject descriptorOf(RenderedChart chart, Map<String, Object> workload) {
    return new JsonObject(descriptorText(chart, workload));
  }

  /** The environment a container would see, with fieldRefs resolved and password files written under {@code tmp}. */
  static Map<String, String> podEnvironment(Map<String, Object> container, Path tmp) throws IOException {
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> entry : env(container)) {
      String name = String.valueOf(entry.get("name"));
      if (entry.get("value") != null) {
        env.put(name, String.valueOf(entry.get("value")));
        continue;
      }
      String field = String.valueOf(at(entry, "valueFrom.fieldRef.fieldPath"));
      env.put(name, switch (field) {
        case "metadata.name" -> "pod-0";
        case "status.podIP" -> "10.1.2.3";
        case "metadata.labels['apps.kubernetes.io/pod-index']" -> "0";
        default -> throw new AssertionError("unexpected env source " + entry);
      });
    }
    for (String variable : List.of("DB_PASSWORD_FILE", "REDIS_PASSWORD_FILE")) {
      if (env.containsKey(variable)) {
        Path file = tmp.resolve(variable);
        Files.writeString(file, "from-file:" + variable + "\n");
        env.put(variable, file.toString());
      }
    }
    return env;
  }

  private static String checksum(RenderedChart chart, String component) {
    return String.valueOf(map(at(podTemplate(chart.workload(component)), "metadata.annotations")).get("checksum/config"));
  }

  private static Set<String> kindAndNames(RenderedChart chart) {
    return chart.objects.stream().map(o -> o.get("kind") + "/" + name(o)).collect(Collectors.toSet());
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders with the chart's {@code modeFile} and then each YAML block as a further values file. */
  private static RenderedChart renderWith(String release, String modeFile, Path tmp, List<String> blocks,
                                          Map<String, String> sets) throws IOException {
    List<Path> files = new ArrayList<>(List.of(RenderedChart.CHART.resolve(modeFile)));
    for (String block : blocks) {
      Path file = Files.createTempFile(tmp, "values-", ".yaml");
      Files.writeString(file, block);
      files.add(file);
    }
    return RenderedChart.renderFiles(release, files, sets);
  }

  /** The projected volume {@code name} of a workload's pod. */
  private static Map<String, Object> projectedVolume(Map<String, Object> workload, String name) {
    return list(podSpec(workload).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError(name(workload) + " has no volume " + name));
  }

  /**
   * Where the file at {@code path} in the first container comes from: {configMap|secret: name, key: key}
   * of the projected volume item mounted there; fails when nothing is mounted at that path.
   */
  private static Map<String, String> mountedFile(Map<String, Object> workload, String path) {
    for (Object m : list(container(workload).get("volumeMounts"))) {
      String mountPath = String.valueOf(map(m).get("mountPath"));
      if (!path.startsWith(mountPath + "/")) {
        continue;
      }
      Map<String, Object> volume = projectedVolume(workload, String.valueOf(map(m).get("name")));
      for (Object source : list(at(volume, "projected.sources"))) {
        for (Map.Entry<String, Object> kind : map(source).entrySet()) {
          for (Object item : list(map(kind.getValue()).get("items"))) {
            if (path.equals(mountPath + "/" + map(item).get("path"))) {
              return Map.of(kind.getKey(), String.valueOf(map(kind.getValue()).get("name")),
                  "key", String.valueOf(map(item).get("key")));
            }
          }
        }
      }
    }
    throw new AssertionError(name(workload) + " mounts nothing at " + path);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** --set pairs with dotted keys (no list indices) as the nested map Helm would build. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> nested(Map<String, String> sets) {
    Map<String, Object> out = new LinkedHashMap<>();
    sets.forEach((key, value) -> {
      String[] path = key.split("\\.");
      Map<String, Object> target = out;
      for (int i = 0; i < path.length - 1; i++) {
        target = (Map<String, Object>) target.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
      }
      target.put(path[path.length - 1], value);
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> override) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    override.forEach((key, value) -> {
      if (value == null) {
        out.remove(key);
      } else if (value instanceof Map<?, ?> m && out.get(key) instanceof Map<?, ?> b) {
        out.put(key, deepMerge((Map<String, Object>) b, (Map<String, Object>) m));
      } else {
        out.put(key, value);
      }
    });
    return out;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = new ArrayList<>(walk.toList());
    }
    for (Path source : paths) {
      Path target = to.resolve(from.relativize(source).toString());
      try {
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
