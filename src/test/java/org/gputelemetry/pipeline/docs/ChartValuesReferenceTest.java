package org.gputelemetry.pipeline.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The values reference of the chart's README against {@code values.yaml}, both ways: every key is
 * documented, no documented key is missing from the file, and each default is the file's value.
 *
 * <p>A row with an empty default documents a block whose keys have rows of their own; a row with a
 * default documents the key whole (a scalar, or a free-form Kubernetes block such as
 * {@code resources} written as JSON).
 */
class ChartValuesReferenceTest {

  private static final Path CHART = Path.of("helm", "telemetry-pipeline");
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (`.*`)? \\| .* \\|$");

  private static Map<String, String> documented() throws IOException {
    String readme = Files.readString(CHART.resolve("README.md"));
    int start = readme.indexOf("\n## Values reference\n");
    assertTrue(start >= 0, "helm/telemetry-pipeline/README.md has no '## Values reference' section");
    int end = readme.indexOf("\n## ", start + 1);
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        String cell = m.group(2) == null ? "" : m.group(2).substring(1, m.group(2).length() - 1);
        assertTrue(rows.put(m.group(1), cell) == null, "documented twice: " + m.group(1));
      }
    }
    assertTrue(rows.size() > 50, "the values reference has only " + rows.size() + " rows");
    return rows;
  }

  @Test
  void valuesReferenceListsExactlyTheKeysOfValuesYaml() throws IOException {
    Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
    Map<String, String> documented = documented();
    List<String> problems = new ArrayList<>();
    check("", values, documented, problems);
    for (String key : documented.keySet()) {
      if (!exists(values, key)) {
        problems.add(key + ": documented, but not a key of values.yaml");
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** Every key of {@code block} is documented; a block documented without a default is walked into. */
  @SuppressWarnings("unchecked")
  private static void check(String prefix, Map<String, Object> block, Map<String, String> documented,
      List<String> problems) {
    for (Map.Entry<String, Object> e : block.entrySet()) {
      String key = prefix + e.getKey();
      String doc = documented.get(key);
      if (doc == null) {
        problems.add(key + ": in values.yaml, missing from the values reference");
      } else if (doc.isEmpty()) {
        if (e.getValue() instanceof Map<?, ?> children) {
          check(key + ".", (Map<String, Object>) children, documented, problems);
        } else {
          problems.add(key + ": documented as a block, but values.yaml gives it " + render(e.getValue()));
        }
      } else if (!doc.equals(render(e.getValue()))) {
        problems.add(key + ": documented default `" + doc + "`, values.yaml has `" + render(e.getValue()) + "`");
      }
    }
  }

  private static boolean exists(Map<String, Object> values, String key) {
    Object node = values;
    for (String part : key.split("\\.")) {
      if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return false;
      }
      node = map.get(part);
    }
    return true;
  }

  /** A value as the reference writes it: scalars bare ({@code ""} when empty), blocks as JSON. */
  @SuppressWarnings("unchecked")
  private static String render(Object value) {
    if (value instanceof String s) {
      return s.isEmpty() ? "\"\"" : s;
    }
    if (value instanceof Map<?, ?> map) {
      return spaced(new JsonObject((Map<String, Object>) map).encode());
    }
    if (value instanceof List<?> list) {
      return spaced(new JsonArray(new ArrayList<>(list)).encode());
    }
    return String.valueOf(value);
  }

  /** Compact JSON with a space after each separator outside strings, as the reference prints it. */
  private static String spaced(String json) {
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      out.append(c);
      if (c == '"' && (i == 0 || json.charAt(i - 1) != '\\')) {
        inString = !inString;
      } else if (!inString && (c == ',' || c == ':')) {
        out.append(' ');
      }
    }
    return out.toString();
  }
}
