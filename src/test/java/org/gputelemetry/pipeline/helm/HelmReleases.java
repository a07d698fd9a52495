package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.env;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.gputelemetry.pipeline.helm.RenderedChart.podSpec;
import static org.gputelemetry.pipeline.helm.RenderedChart.podTemplate;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The chart as users install it, shared by the Helm tests: the releases the docs name (one per values
 * file), two renderings with every optional feature on, each rendered once per JVM, and the readers of
 * what a rendered pod would see (its descriptor, environment and mounted files).
 */
final class HelmReleases {

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
  static final Set<String> NON_JAR_ENV = Set.of("DESCRIPTOR", "JAVA_OPTS", "POD_NAME", "OPS_PORT", "HOST_IP",
      "NODE_NAME");
  /** What {@link #podEnvironment} gives the downward API's node facts. */
  static final String HOST_IP = "10.0.7.21";
  static final String NODE_NAME = "gpu-node-21";

  /** The values files users install with, each as the release the docs name. */
  enum Mode {
    DEFAULT("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD),
        Set.of("streamer", "collector", "api-gateway", "postgresql"), "clustered"),
    SAME_CLUSTER("telemetry-pipeline", "values-same-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD),
        Set.of("streamer", "collector", "api-gateway", "postgresql"), "clustered"),
    EDGE("telemetry-edge", "values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET),
        Set.of("streamer"), "redis"),
    CENTRAL("telemetry-central", "values-central-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD,
        "externalRedis.existingSecret", REDIS_SECRET), Set.of("collector", "api-gateway", "postgresql"), "redis"),
    /** Streamers beside dcgm-exporter on every GPU node (docs/deploying.md). */
    DCGM_DAEMONSET("telemetry-pipeline", "values-dcgm-daemonset.yaml", sets("postgresql.auth.password", DB_PASSWORD),
        Set.of("streamer", "collector", "api-gateway", "postgresql"), "clustered");

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

  private HelmReleases() {
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

  static String role(String component) {
    return switch (component) {
      case "api-gateway" -> "gateway";
      case "streamer", "collector" -> component;
      default -> throw new AssertionError("not a pipeline component: " + component);
    };
  }

  static String descriptorText(RenderedChart chart, Map<String, Object> workload) {
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
        env.put(name, expand(String.valueOf(entry.get("value")), env));
        continue;
      }
      String field = String.valueOf(at(entry, "valueFrom.fieldRef.fieldPath"));
      env.put(name, switch (field) {
        case "metadata.name" -> "pod-0";
        case "status.podIP" -> "10.1.2.3";
        case "status.hostIP" -> HOST_IP;
        case "spec.nodeName" -> NODE_NAME;
        case "metadata.labels['apps.kubernetes.io/pod-index']" -> "0";
        default -> throw new AssertionError("unexpected env source " + entry);
      });
    }
    for (String variable : List.of("DB_PASSWORD_FILE", "REDIS_PASSWORD_FILE", "GATEWAY_AUTH_TOKEN_FILE")) {
      if (env.containsKey(variable)) {
        Path file = tmp.resolve(variable);
        Files.writeString(file, "from-file:" + variable + "\n");
        env.put(variable, file.toString());
      }
    }
    return env;
  }

  /** Kubernetes' {@code $(VAR)} expansion of an env value: variables defined earlier in the list; others stay as written. */
  static String expand(String value, Map<String, String> earlier) {
    return java.util.regex.Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value)
        .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(earlier.getOrDefault(m.group(1), m.group())));
  }

  static String checksum(RenderedChart chart, String component) {
    return String.valueOf(map(at(podTemplate(chart.workload(component)), "metadata.annotations")).get("checksum/config"));
  }

  static Set<String> kindAndNames(RenderedChart chart) {
    return chart.objects.stream().map(o -> o.get("kind") + "/" + name(o)).collect(Collectors.toSet());
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders with the chart's {@code modeFile} and then each YAML block as a further values file. */
  static RenderedChart renderWith(String release, String modeFile, Path tmp, List<String> blocks,
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
  static Map<String, Object> projectedVolume(Map<String, Object> workload, String name) {
    return list(podSpec(workload).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError(name(workload) + " has no volume " + name));
  }

  /**
   * Where the file at {@code path} in the first container comes from: {configMap|secret: name, key: key}
   * of the (projected or plain) volume item mounted there; fails when nothing is mounted at that path.
   */
  static Map<String, String> mountedFile(Map<String, Object> workload, String path) {
    for (Object m : list(container(workload).get("volumeMounts"))) {
      String mountPath = String.valueOf(map(m).get("mountPath"));
      if (!path.startsWith(mountPath + "/")) {
        continue;
      }
      Map<String, Object> volume = projectedVolume(workload, String.valueOf(map(m).get("name")));
      // a projected volume's sources, or a plain configMap/secret volume as one source
      List<Object> sources = at(volume, "projected.sources") != null ? list(at(volume, "projected.sources"))
          : volume.containsKey("configMap") ? List.of(Map.of("configMap", volume.get("configMap")))
          : volume.containsKey("secret") ? List.of(Map.of("secret", Map.of("name", at(volume, "secret.secretName"),
              "items", at(volume, "secret.items")))) : List.of();
      for (Object source : sources) {
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

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
