package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.kindAndNames;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Each values file users install with (default, same cluster, edge, central): lint passes, each mode
 * renders its components only, and the edge and central releases can share a namespace.
 */
class HelmModesTest {

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
