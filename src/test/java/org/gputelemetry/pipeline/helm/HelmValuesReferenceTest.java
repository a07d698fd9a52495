package org.gputelemetry.pipeline.helm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every key of values.yaml is commented there and has a row in the values reference. */
class HelmValuesReferenceTest {

  /** The document whose tables are the chart's values reference. */
  static final Path VALUES_REFERENCE = RenderedChart.CHART.resolve("README.md");

  @Test
  void everyValuesKeyIsCommentedAndInTheDocsReference() throws IOException {
    // Children of Kubernetes (free-form) blocks are documented by their block.
    Set<String> freeForm = Set.of("resources", "podSecurityContext", "securityContext", "labels", "hosts",
        "requests", "limits", "accessModes", "kubeApiPorts", "allowedMethods", "seccompProfile", "capabilities");
    List<String> lines = Files.readAllLines(RenderedChart.CHART.resolve("values.yaml"));
    String docs = Files.readString(VALUES_REFERENCE);
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
        problems.add(key + ": missing from the values reference in " + VALUES_REFERENCE);
      }
    }
    assertTrue(path.size() > 0 && problems.isEmpty(), String.join("\n", problems));
  }
}
