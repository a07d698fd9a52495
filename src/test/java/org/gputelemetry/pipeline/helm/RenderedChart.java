package org.gputelemetry.pipeline.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart rendered by {@code helm template} (helm-java, the Helm library in-process) and parsed
 * into Kubernetes objects, with the queries the chart tests need. Immutable after construction.
 *
 * <p>helm-java renders against a would-be cluster, so the chart's {@code lookup} (used to keep
 * generated passwords stable) needs a reachable API server; callers therefore pass a password
 * for every chart-made Secret (the lint test covers the lookup path, which Helm runs client-side).
 */
final class RenderedChart {

  static final Path CHART = Path.of("helm", "telemetry-pipeline").toAbsolutePath();
  static final String NAMESPACE = "telemetry-system";
  /** The gateway token every offline rendering gets unless it sets its own. */
  static final String GATEWAY_TOKEN = "gateway-token-for-tests";
  static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");
  static final Set<String> PIPELINE_COMPONENTS = Set.of("streamer", "collector", "api-gateway");

  final String release;
  final String text;
  final List<Map<String, Object>> objects;

  private RenderedChart(String release, String text) {
    this.release = release;
    this.text = text;
    this.objects = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(text)) {
      if (doc != null) {
        objects.add(map(doc));
      }
    }
  }

  /**
   * Renders the chart as release {@code release}.
   *
   * @param valuesFile a values file of the chart ({@code values-edge-cluster.yaml}), or null for the defaults
   * @param sets {@code --set} pairs, applied in order
   */
  static RenderedChart render(String release, String valuesFile, Map<String, String> sets) {
    return renderFiles(release, valuesFile == null ? List.of() : List.of(CHART.resolve(valuesFile)), sets);
  }

  /**
   * Renders the chart as release {@code release} with several values files, later ones winning
   * (as repeated {@code -f} do).
   */
  static RenderedChart renderFiles(String release, List<Path> valuesFiles, Map<String, String> sets) {
    TemplateCommand template = new Helm(CHART).template().withName(release).withNamespace(NAMESPACE);
    if (!sets.containsKey("apiGateway.auth.token") && !sets.containsKey("apiGateway.auth.existingSecret")) {
      // an empty token is generated through lookup, which needs a cluster: offline renderings give one
      template = template.set("apiGateway.auth.token", GATEWAY_TOKEN);
    }
    for (Path valuesFile : valuesFiles) {
      template = template.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, String> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    return new RenderedChart(release, template.call());
  }

  /** Builds an ordered map of --set pairs: {@code sets("a", "1", "b", "2")}. */
  static Map<String, String> sets(String... keysAndValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }

  List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  List<Map<String, Object>> workloads() {
    return objects.stream().filter(o -> WORKLOAD_KINDS.contains(String.valueOf(o.get("kind")))).toList();
  }

  /** Workloads running the pipeline jar (streamer, collector, api-gateway). */
  List<Map<String, Object>> pipelineWorkloads() {
    return workloads().stream().filter(w -> PIPELINE_COMPONENTS.contains(component(w))).toList();
  }

  Map<String, Object> workload(String component) {
    return workloads().stream().filter(w -> component.equals(component(w))).findFirst()
        .orElseThrow(() -> new AssertionError("no workload of component " + component + " in\n" + text));
  }

  Map<String, Object> named(String kind, String name) {
    return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** Non-Secret documents as rendered text, for grepping. */
  List<String> nonSecretDocuments() {
    List<String> out = new ArrayList<>();
    for (String doc : text.split("(?m)^---$")) {
      if (!doc.contains("\nkind: Secret\n")) {
        out.add(doc);
      }
    }
    return out;
  }

  static String name(Map<String, Object> object) {
    return String.valueOf(map(object.get("metadata")).get("name"));
  }

  static Map<String, Object> labels(Map<String, Object> object) {
    Object labels = map(object.get("metadata")).get("labels");
    return labels == null ? Map.of() : map(labels);
  }

  static String component(Map<String, Object> object) {
    return String.valueOf(labels(object).get("app.kubernetes.io/component"));
  }

  static Map<String, Object> podTemplate(Map<String, Object> workload) {
    return map(map(workload.get("spec")).get("template"));
  }

  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(podTemplate(workload).get("spec"));
  }

  static List<Map<String, Object>> containers(Map<String, Object> workload) {
    return list(podSpec(workload).get("containers")).stream().map(RenderedChart::map).toList();
  }

  static Map<String, Object> container(Map<String, Object> workload) {
    return containers(workload).get(0);
  }

  static List<Map<String, Object>> env(Map<String, Object> container) {
    Object env = container.get("env");
    return env == null ? List.of() : list(env).stream().map(RenderedChart::map).toList();
  }

  /** The container's env entry named {@code name}, or null. */
  static Map<String, Object> envEntry(Map<String, Object> container, String name) {
    return env(container).stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
  }

  /** An entry of a ConfigMap's or Secret's data (keys may contain dots); null when absent. */
  static String data(Map<String, Object> object, String key) {
    Object data = object.get("data");
    return data == null || map(data).get(key) == null ? null : String.valueOf(map(data).get(key));
  }

  /** Follows a dotted path through nested maps; null when a step is missing. */
  static Object at(Object root, String path) {
    Object current = root;
    for (String step : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(step);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) Objects.requireNonNull(o, "expected a map");
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) Objects.requireNonNull(o, "expected a list");
  }
}
