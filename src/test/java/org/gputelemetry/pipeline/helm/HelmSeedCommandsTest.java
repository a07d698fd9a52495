package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.REDIS_SECRET;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorOf;
import static org.gputelemetry.pipeline.helm.HelmReleases.mountedFile;
import static org.gputelemetry.pipeline.helm.HelmReleases.podEnvironment;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every {@code helm install}, {@code helm upgrade} and {@code helm template} command of the seed documents
 * 000–002 (the deployment guides and the chart README users have read), copied here verbatim with the seed
 * file named, parsed as a shell would (quotes, {@code \} continuations, trailing comments), the chart path
 * ({@code ./deployments/helm/...}, {@code ./deploy/helm/...}, {@code telemetry-pipeline/telemetry-pipeline})
 * read as ours, and rendered with each {@code --values}/{@code -f}, {@code --set}, {@code --set-string} and
 * {@code --set-file} it gives. A values file the seed writes out ({@code cat > production-values.yaml})
 * is materialized from the seed's text; a {@code --set-file} file the seed only names gets a real CSV.
 * Each command is then held to what the seed says it does, not only to rendering.
 *
 * <p>Two additions are the test's, not the command's, and only where the command leaves them out: a
 * PostgreSQL password (Helm generates one through {@code lookup}, which needs a cluster that offline
 * rendering does not have) and, for the Redis transport, the Redis Secret that
 * {@code scripts/deploy-cross-cluster.sh} creates (seed 001's scenario 2 omits the credentials its
 * scenario 3 passes; without any the chart refuses, as HelmValidationTest shows).
 */
class HelmSeedCommandsTest {

  /** A command as the seed prints it, and what the seed says it does. */
  record SeedCommand(String seed, String text, BiConsumer<RenderedChart, Path> effect) {
    @Override
    public String toString() {
      String first = text.strip().lines().findFirst().orElse("");
      return seed + ": " + first.substring(0, Math.min(first.length(), 90));
    }
  }

  private static final String SEED_000 = "seeds/000 (deployment quick reference)";
  private static final String SEED_001 = "seeds/001 (cross-cluster deployment guide)";
  private static final String SEED_002 = "seeds/002 (chart README)";

  /** production-values.yaml as seed 002 writes it with {@code cat > production-values.yaml <<EOF}. */
  static final String PRODUCTION_VALUES = """
      # Production configuration
      collector:
        replicaCount: 3
        persistence:
          enabled: true
          size: 100Gi
          storageClass: fast-ssd
        resources:
          requests:
            cpu: 500m
            memory: 1Gi
          limits:
            cpu: 1000m
            memory: 2Gi
        autoscaling:
          enabled: true
          minReplicas: 2
          maxReplicas: 5
          targetCPUUtilizationPercentage: 70

      apiGateway:
        replicaCount: 3
        ingress:
          enabled: true
          className: nginx
          annotations:
            cert-manager.io/cluster-issuer: letsencrypt-prod
            nginx.ingress.kubernetes.io/rate-limit: "100"
          hosts:
            - host: telemetry-api.production.com
              paths:
                - path: /
                  pathType: Prefix
          tls:
            - secretName: telemetry-api-tls
              hosts:
                - telemetry-api.production.com
        autoscaling:
          enabled: true
          minReplicas: 3
          maxReplicas: 10

      mq:
        persistence:
          enabled: true
          size: 20Gi
          storageClass: fast-ssd

      monitoring:
        serviceMonitor:
          enabled: true
          labels:
            release: prometheus
      """;

  /** The file seed 002's example 4 passes to --set-file (the seed names it only): a real DCGM CSV. */
  static final String MY_DATA_CSV = """
      timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw
      "2025-07-18T20:42:34Z","DCGM_FI_DEV_GPU_UTIL","0","nvidia0","GPU-5fd4f087-86f3-7a43-b711-4771313afc50","NVIDIA H100 80GB HBM3","mtv5-dgx1-hgpu-031","","","","87",""
      "2025-07-18T20:42:34Z","DCGM_FI_DEV_GPU_TEMP","0","nvidia0","GPU-5fd4f087-86f3-7a43-b711-4771313afc50","NVIDIA H100 80GB HBM3","mtv5-dgx1-hgpu-031","","","","64",""
      """;

  static Stream<SeedCommand> commands() {
    return Stream.of(
        new SeedCommand(SEED_000, """
            helm upgrade --install telemetry-pipeline ./deployments/helm/telemetry-pipeline \\
              --namespace telemetry-system --create-namespace \\
              --values ./deployments/helm/telemetry-pipeline/values-same-cluster.yaml \\
              --set image.tag=v1.0.0 \\
              --set postgresql.auth.password="secure-password"
            """, (chart, tmp) -> {
              for (Map<String, Object> w : chart.pipelineWorkloads()) {
                assertTrue(String.valueOf(container(w).get("image")).endsWith(":v1.0.0"), RenderedChart.name(w));
              }
              assertEquals(3, chart.pipelineWorkloads().size());
              assertEquals(3, ((Number) at(chart.workload("streamer"), "spec.replicas")).intValue(),
                  "values-same-cluster.yaml applied");
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-edge ./deployments/helm/telemetry-pipeline \\
              --set streamer.nodeSelector.node-type=gpu \\
              --set streamer.tolerations[0].key=nvidia.com/gpu \\
              --set collector.enabled=false
            """, (chart, tmp) -> {
              Map<String, Object> spec = podSpec(chart.workload("streamer"));
              assertEquals(Map.of("node-type", "gpu"), spec.get("nodeSelector"));
              assertEquals("nvidia.com/gpu", at(list(spec.get("tolerations")).get(0), "key"));
              assertNoWorkload(chart, "collector");
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-central ./deployments/helm/telemetry-pipeline \\
              --set collector.nodeSelector.node-type=cpu \\
              --set streamer.enabled=false
            """, (chart, tmp) -> {
              assertEquals(Map.of("node-type", "cpu"), podSpec(chart.workload("collector")).get("nodeSelector"));
              assertNoWorkload(chart, "streamer");
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-streamers ./deployments/helm/telemetry-pipeline \\
              --values ./deployments/helm/telemetry-pipeline/values-edge-cluster.yaml \\
              --set streamer.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]=us-west-2a
            """, (chart, tmp) -> {
              assertEquals("us-west-2a", zone(chart.workload("streamer")));
              assertEquals(Set.of("streamer"), components(chart));
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-collectors ./deployments/helm/telemetry-pipeline \\
              --values ./deployments/helm/telemetry-pipeline/values-central-cluster.yaml \\
              --set collector.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]=us-west-2b
            """, (chart, tmp) -> {
              assertEquals("us-west-2b", zone(chart.workload("collector")));
              assertEquals(Set.of("collector", "api-gateway"), components(chart));
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-edge ./deployments/helm/telemetry-pipeline \\
              --namespace telemetry-system \\
              --create-namespace \\
              --values ./deployments/helm/telemetry-pipeline/values-edge-cluster.yaml \\
              --set externalRedis.enabled=true \\
              --set externalRedis.host=redis.shared-infra.company.com \\
              --set externalRedis.password="your-redis-password" \\
              --set externalRedis.tls.enabled=true
            """, (chart, tmp) -> {
              JsonObject redis = descriptorOf(chart, chart.workload("streamer")).getJsonObject("transport")
                  .getJsonObject("redis");
              assertEquals("redis.shared-infra.company.com", redis.getString("host"));
              assertEquals(true, redis.getJsonObject("tls").getBoolean("enabled"));
              assertTrue(chart.ofKind("Secret").stream().anyMatch(s ->
                  HelmReleases.b64("your-redis-password").equals(data(s, "password"))),
                  "the password goes into the chart's Secret");
            }),
        new SeedCommand(SEED_001, """
            helm upgrade --install telemetry-central ./deployments/helm/telemetry-pipeline \\
              --namespace telemetry-system \\
              --create-namespace \\
              --values ./deployments/helm/telemetry-pipeline/values-central-cluster.yaml \\
              --set externalRedis.enabled=true \\
              --set externalRedis.host=redis.shared-infra.company.com \\
              --set externalRedis.password="your-redis-password" \\
              --set postgresql.auth.password="your-db-password"
            """, (chart, tmp) -> {
              assertEquals("redis.shared-infra.company.com", descriptorOf(chart, chart.workload("collector"))
                  .getJsonObject("transport").getJsonObject("redis").getString("host"));
              assertTrue(chart.ofKind("Secret").stream().anyMatch(s ->
                  HelmReleases.b64("your-db-password").equals(data(s, "password"))), "the database password is used");
            }),
        new SeedCommand(SEED_002, """
            helm install my-telemetry-pipeline telemetry-pipeline/telemetry-pipeline
            """, HelmSeedCommandsTest::wholePipeline),
        new SeedCommand(SEED_002, """
            helm install my-telemetry-pipeline ./deploy/helm/telemetry-pipeline
            """, HelmSeedCommandsTest::wholePipeline),
        new SeedCommand(SEED_002, """
            helm install my-telemetry-pipeline ./deploy/helm/telemetry-pipeline \\
              --set apiGateway.ingress.enabled=true \\
              --set apiGateway.ingress.hosts[0].host=telemetry-api.example.com \\
              --set collector.persistence.size=50Gi \\
              --set streamer.workers=4
            """, (chart, tmp) -> {
              assertIngress(chart, "telemetry-api.example.com");
              assertEquals(4, streamerBlock(chart).getInteger("workers"));
              assertNoCollectorVolume(chart);
            }),
        new SeedCommand(SEED_002, """
            helm install telemetry-production ./deploy/helm/telemetry-pipeline \\
              -f production-values.yaml
            """, HelmSeedCommandsTest::production),
        new SeedCommand(SEED_002, """
            helm install telemetry-streamer ./deploy/helm/telemetry-pipeline \\
              --set collector.enabled=false \\
              --set apiGateway.enabled=false \\
              --set streamer.workers=4 \\
              --set streamer.rate=20.0
            """, (chart, tmp) -> {
              assertEquals(4, streamerBlock(chart).getInteger("workers"));
              assertEquals(20, streamerBlock(chart).getInteger("rate"));
              assertEquals(Set.of("streamer"), components(chart));
            }),
        new SeedCommand(SEED_002, """
            helm install telemetry-collector ./deploy/helm/telemetry-pipeline \\
              --set streamer.enabled=false \\
              --set apiGateway.enabled=false \\
              --set collector.replicaCount=3 \\
              --set collector.autoscaling.enabled=true \\
              --set collector.persistence.size=100Gi
            """, (chart, tmp) -> {
              assertEquals(Set.of("collector"), components(chart));
              Map<String, Object> hpa = chart.ofKind("HorizontalPodAutoscaler").get(0);
              assertEquals("collector", component(hpa));
              assertNoCollectorVolume(chart);
            }),
        new SeedCommand(SEED_002, """
            helm install telemetry-api ./deploy/helm/telemetry-pipeline \\
              --set streamer.enabled=false \\
              --set collector.enabled=false \\
              --set apiGateway.ingress.enabled=true \\
              --set apiGateway.ingress.hosts[0].host=api.telemetry.local
            """, (chart, tmp) -> {
              assertIngress(chart, "api.telemetry.local");
              assertEquals(Set.of("api-gateway"), components(chart));
            }),
        new SeedCommand(SEED_002, """
            helm install my-telemetry ./deploy/helm/telemetry-pipeline \\
              --set streamer.csvData="" \\  # Disable inline CSV
              --set-file streamer.csvData=my-data.csv
            """, HelmSeedCommandsTest::inlineCsv),
        new SeedCommand(SEED_002, """
            helm install telemetry-dev ./deploy/helm/telemetry-pipeline \\
              --set collector.persistence.enabled=false \\
              --set mq.persistence.enabled=false \\
              --set apiGateway.replicaCount=1 \\
              --set collector.replicaCount=1 \\
              --set-string collector.resources.requests.cpu=50m \\
              --set-string collector.resources.requests.memory=128Mi
            """, (chart, tmp) -> {
              assertEquals("50m", at(container(chart.workload("collector")), "resources.requests.cpu"));
              assertEquals("128Mi", at(container(chart.workload("collector")), "resources.requests.memory"));
              assertEquals(1, ((Number) at(chart.workload("api-gateway"), "spec.replicas")).intValue());
            }),
        new SeedCommand(SEED_002, """
            helm upgrade my-telemetry-pipeline ./deploy/helm/telemetry-pipeline \\
              --reuse-values \\
              --set collector.image.tag=v2.0.0
            """, (chart, tmp) -> {
              assertTrue(String.valueOf(container(chart.workload("collector")).get("image")).endsWith(":v2.0.0"));
              assertFalse(String.valueOf(container(chart.workload("streamer")).get("image")).endsWith(":v2.0.0"),
                  "only the collector's image changes");
            }),
        new SeedCommand(SEED_002, """
            helm upgrade my-telemetry-pipeline ./deploy/helm/telemetry-pipeline \\
              -f production-values.yaml
            """, HelmSeedCommandsTest::production),
        new SeedCommand(SEED_002, """
            helm template ./deploy/helm/telemetry-pipeline
            """, HelmSeedCommandsTest::wholePipeline));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void seedCommandRendersAndDoesWhatTheSeedSays(SeedCommand command, @TempDir Path tmp) throws IOException {
    RenderedChart chart = render(parse(command.text()), tmp);
    command.effect().accept(chart, tmp);
  }

  @org.junit.jupiter.api.Test
  void commandsAreReadAsTheShellAndHelmReadThem() {
    HelmCommand csv = parse("""
        helm install my-telemetry ./deploy/helm/telemetry-pipeline \\
          --set streamer.csvData="" \\  # Disable inline CSV
          --set-file streamer.csvData=my-data.csv
        """);
    assertEquals("my-telemetry", csv.release());
    assertEquals("./deploy/helm/telemetry-pipeline", csv.chart());
    assertEquals(Map.of("streamer.csvData", ""), csv.sets());
    assertEquals(Map.of("streamer.csvData", "my-data.csv"), csv.setFiles(),
        "the seed's comment after the continuation does not end the command");
    HelmCommand quoted = parse("helm upgrade --install r ./deploy/helm/telemetry-pipeline -n ns "
        + "--set a.b='x y' --set c=\"p w\" -f v.yaml");
    assertEquals(Map.of("a.b", "x y", "c", "p w"), quoted.sets());
    assertEquals(List.of("v.yaml"), quoted.valuesFiles());
    assertEquals("release-name", parse("helm template ./deploy/helm/telemetry-pipeline").release());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> parse("helm install r ./deploy/helm/telemetry-pipeline --set-json a={}"), "an unknown flag is no silent pass");
  }

  /** A helm command line, parsed. */
  record HelmCommand(String release, String chart, List<String> valuesFiles, Map<String, String> sets,
                     Map<String, String> setFiles) {
  }

  /** Parses a command as the shell would hand it to helm, and helm's flags as helm reads them. */
  static HelmCommand parse(String text) {
    List<String> words = shellWords(text);
    int at = 0;
    if (!words.get(at++).equals("helm")) {
      throw new IllegalArgumentException("not a helm command: " + text);
    }
    String verb = words.get(at++);
    if (!Set.of("install", "upgrade", "template").contains(verb)) {
      throw new IllegalArgumentException("not install/upgrade/template: " + text);
    }
    List<String> positional = new ArrayList<>();
    List<String> valuesFiles = new ArrayList<>();
    Map<String, String> sets = new LinkedHashMap<>();
    Map<String, String> setFiles = new LinkedHashMap<>();
    while (at < words.size()) {
      String w = words.get(at++);
      switch (w) {
        case "--install", "--create-namespace", "--reuse-values", "--atomic", "--wait" -> { }
        case "--namespace", "-n" -> at++;
        case "--values", "-f" -> valuesFiles.add(words.get(at++));
        case "--set", "--set-string" -> {
          String pair = words.get(at++);
          int eq = pair.indexOf('=');
          sets.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        case "--set-file" -> {
          String pair = words.get(at++);
          int eq = pair.indexOf('=');
          setFiles.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        default -> {
          if (w.startsWith("-")) {
            throw new IllegalArgumentException("flag " + w + " not understood in: " + text);
          }
          positional.add(w);
        }
      }
    }
    String release = positional.size() == 2 ? positional.get(0) : "release-name";
    return new HelmCommand(release, positional.get(positional.size() - 1), valuesFiles, sets, setFiles);
  }

  /** Splits a shell command into words: quotes, backslash-newline continuations and # comments. */
  static List<String> shellWords(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (c == '\\' && i + 1 < text.length()) {
        char next = text.charAt(++i);
        if (next != '\n') {
          // "\ " is an escaped space: a word of its own here (seed 002 writes `\  # comment`)
          word = word == null ? new StringBuilder() : word;
          if (next != ' ') {
            word.append(next);
          }
        }
      } else if (c == '#' && word == null) {
        // a comment runs to the end of the line; the seed's continuation before it joins the next line
        int eol = text.indexOf('\n', i);
        i = eol < 0 ? text.length() : eol;
      } else if (Character.isWhitespace(c)) {
        if (word != null && !word.isEmpty()) {
          words.add(word.toString());
        }
        word = null;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null && !word.isEmpty()) {
      words.add(word.toString());
    }
    return words;
  }

  /** Renders a parsed command: our chart for the seeds' chart paths, seed-written files materialized. */
  static RenderedChart render(HelmCommand command, Path tmp) throws IOException {
    assertTrue(Set.of("./deployments/helm/telemetry-pipeline", "./deploy/helm/telemetry-pipeline",
        "telemetry-pipeline/telemetry-pipeline").contains(command.chart()), "chart " + command.chart());
    List<Path> files = new ArrayList<>();
    for (String file : command.valuesFiles()) {
      String name = Path.of(file).getFileName().toString();
      if (name.equals("production-values.yaml")) {
        Path written = tmp.resolve(name);
        Files.writeString(written, PRODUCTION_VALUES);
        files.add(written);
      } else {
        Path ours = RenderedChart.CHART.resolve(name);
        assertTrue(Files.isRegularFile(ours), "the seed's values file " + file + " is one of the chart's");
        files.add(ours);
      }
    }
    Map<String, String> sets = new LinkedHashMap<>(command.sets());
    if (!command.setFiles().isEmpty()) {
      // --set-file sets the key to the file's text, after every --set (Helm's order); helm-java has no
      // --set-file, so the text goes in as a values file and a --set of the same key gives way
      Map<String, Object> tree = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : command.setFiles().entrySet()) {
        assertEquals("my-data.csv", e.getValue(), "a --set-file file the test knows");
        Path csv = tmp.resolve(e.getValue());
        Files.writeString(csv, MY_DATA_CSV);
        put(tree, e.getKey(), Files.readString(csv));
        sets.remove(e.getKey());
      }
      Path file = tmp.resolve("set-file-values.yaml");
      Files.writeString(file, new Yaml().dump(tree));
      files.add(file);
    }
    boolean redis = files.stream().anyMatch(f -> f.getFileName().toString().matches("values-(edge|central)-cluster\\.yaml"))
        || "redis".equals(sets.get("transport.type"));
    if (redis && !sets.containsKey("externalRedis.password") && !sets.containsKey("externalRedis.existingSecret")) {
      sets.put("externalRedis.existingSecret", REDIS_SECRET);
    }
    if (!sets.containsKey("postgresql.auth.password")) {
      sets.put("postgresql.auth.password", DB_PASSWORD);
    }
    return RenderedChart.renderFiles(command.release(), files, sets);
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String dotted, Object value) {
    String[] steps = dotted.split("\\.");
    Map<String, Object> at = tree;
    for (int i = 0; i < steps.length - 1; i++) {
      at = (Map<String, Object>) at.computeIfAbsent(steps[i], k -> new LinkedHashMap<>());
    }
    at.put(steps[steps.length - 1], value);
  }

  // --- what the seeds say the commands do ---

  private static void wholePipeline(RenderedChart chart, Path tmp) {
    assertEquals(Set.of("streamer", "collector", "api-gateway"), components(chart));
  }

  private static void production(RenderedChart chart, Path tmp) {
    Map<String, Object> hpa = chart.ofKind("HorizontalPodAutoscaler").stream().filter(h -> component(h).equals("collector"))
        .findFirst().orElseThrow();
    assertEquals(2, ((Number) at(hpa, "spec.minReplicas")).intValue());
    assertEquals(5, ((Number) at(hpa, "spec.maxReplicas")).intValue());
    Map<String, Object> gatewayHpa = chart.ofKind("HorizontalPodAutoscaler").stream()
        .filter(h -> component(h).equals("api-gateway")).findFirst().orElseThrow();
    assertEquals(10, ((Number) at(gatewayHpa, "spec.maxReplicas")).intValue());
    Map<String, Object> ingress = assertIngress(chart, "telemetry-api.production.com");
    assertEquals("nginx", at(ingress, "spec.ingressClassName"));
    assertEquals("telemetry-api-tls", at(list(at(ingress, "spec.tls")).get(0), "secretName"));
    Map<String, Object> monitor = chart.ofKind("ServiceMonitor").get(0);
    assertEquals("prometheus", RenderedChart.labels(monitor).get("release"));
    assertEquals("1Gi", at(container(chart.workload("collector")), "resources.requests.memory"));
    assertNoCollectorVolume(chart);
  }

  private static void inlineCsv(RenderedChart chart, Path tmp) {
    Map<String, Object> streamer = chart.workload("streamer");
    String csvPath = streamerBlock(chart).getString("csvPath");
    assertEquals("/etc/telemetry/csv/telemetry.csv", csvPath);
    Map<String, String> source = mountedFile(streamer, csvPath);
    String configMap = source.get("configMap");
    assertNotNull(configMap, "the CSV comes from a ConfigMap: " + source);
    assertEquals(MY_DATA_CSV, data(chart.named("ConfigMap", configMap), source.get("key")),
        "the file given to --set-file is what the streamer reads");
    try {
      PipelineSettings settings = PipelineSettings.fromDescriptor(descriptorOf(chart, streamer),
          podEnvironment(container(streamer), tmp));
      assertEquals(csvPath, settings.streamer().csvPath());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, Object> assertIngress(RenderedChart chart, String host) {
    Map<String, Object> ingress = chart.ofKind("Ingress").get(0);
    Object rule = list(at(ingress, "spec.rules")).get(0);
    assertEquals(host, at(rule, "host"));
    Object path = list(at(rule, "http.paths")).get(0);
    assertEquals("/", at(path, "path"));
    assertEquals("Prefix", at(path, "pathType"));
    return ingress;
  }

  /** With the PostgreSQL store the collector keeps nothing on disk: collector.persistence claims nothing. */
  private static void assertNoCollectorVolume(RenderedChart chart) {
    assertTrue(chart.ofKind("PersistentVolumeClaim").stream().noneMatch(p -> component(p).equals("collector")));
    Object volumes = podSpec(chart.workload("collector")).get("volumes");
    assertTrue(list(volumes).stream().noneMatch(v -> "data".equals(map(v).get("name"))));
  }

  private static void assertNoWorkload(RenderedChart chart, String component) {
    assertFalse(components(chart).contains(component), component + " is disabled");
  }

  private static Set<String> components(RenderedChart chart) {
    return chart.pipelineWorkloads().stream().map(RenderedChart::component).collect(Collectors.toSet());
  }

  private static JsonObject streamerBlock(RenderedChart chart) {
    return descriptorOf(chart, chart.workload("streamer")).getJsonObject("streamer");
  }

  private static Object zone(Map<String, Object> workload) {
    Object term = list(at(podSpec(workload),
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms")).get(0);
    return list(map(list(map(term).get("matchExpressions")).get(0)).get("values")).get(0);
  }
}
