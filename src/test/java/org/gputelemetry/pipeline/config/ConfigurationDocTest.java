package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md}'s tables are generated from {@link ConfigKeys}; this test fails
 * when the page differs from what the registry generates. To regenerate after changing a key:
 * {@code mvn -o surefire:test -Dtest=ConfigurationDocTest -Dconfiguration.doc.write=true}.
 * It also holds the registry's documented defaults to what the settings records actually parse.
 */
class ConfigurationDocTest {

  static final Path PAGE = Path.of("docs/configuration.md");
  private static final Pattern GENERATED = Pattern.compile(
      "(<!-- generated from ConfigKeys: (\\w+) -->\n)(.*?)(<!-- end of generated table -->)", Pattern.DOTALL);

  @Test
  void configurationPageTablesAreGeneratedFromConfigKeys() throws IOException {
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    Matcher m = GENERATED.matcher(page);
    StringBuilder out = new StringBuilder();
    List<String> tables = new ArrayList<>();
    while (m.find()) {
      tables.add(m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table(m.group(2)) + m.group(4)));
    }
    m.appendTail(out);
    assertEquals(List.of("keys", "variables"), tables, "docs/configuration.md lacks its generated-table markers");
    if (Boolean.getBoolean("configuration.doc.write")) {
      Files.writeString(PAGE, out.toString(), StandardCharsets.UTF_8);
      return;
    }
    assertEquals(out.toString(), page, "docs/configuration.md differs from ConfigKeys; regenerate it with "
        + "mvn -o surefire:test -Dtest=ConfigurationDocTest -Dconfiguration.doc.write=true");
  }

  @Test
  void documentedDefaultsAreTheParsedDefaults() {
    JsonObject effective = PipelineSettings.fromJson(new JsonObject()).toJson();
    List<String> problems = new ArrayList<>();
    for (ConfigKey k : ConfigKeys.ALL) {
      if (k.derivedDefault() || isSecret(k.path())) {
        continue;
      }
      Object value = at(effective, k.path());
      String shown = value == null ? "none" : value instanceof JsonArray a ? a.encode() : value.toString();
      if (!shown.equals(k.defaultValue())) {
        problems.add(k.path() + ": ConfigKeys says " + k.defaultValue() + ", parsing yields " + shown);
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyKeyTheSettingsReadIsListedAndEveryListedKeyIsRead() {
    List<String> read = new ArrayList<>();
    leafKeys("", PipelineSettings.fromJson(new JsonObject()).toJson(), read);
    read.remove("instanceId");
    for (String path : read) {
      assertNotNull(ConfigKeys.get(path), "ConfigKeys does not list " + path);
    }
    for (ConfigKey k : ConfigKeys.ALL) {
      // every listed key is read by a settings record (so it shows in the effective configuration)
      assertTrue(read.contains(k.path()) || isSecret(k.path()) || k.path().equals("instanceId"),
          k.path() + " is listed in ConfigKeys but missing from the effective configuration");
    }
  }

  @Test
  void variablesAreUniqueAndSpelledAsVariables() {
    List<String> seen = new ArrayList<>();
    for (EnvOverrides.Mapping m : EnvOverrides.MAPPINGS) {
      assertTrue(m.variable().matches("[A-Z][A-Z0-9_]*"), m.variable());
      assertTrue(!seen.contains(m.variable()), m.variable() + " maps two keys");
      seen.add(m.variable());
    }
  }

  /** Secrets and inline tokens are never in the effective-config dump. */
  private static boolean isSecret(String path) {
    return path.endsWith(".password") || path.endsWith(".passwordFile") || path.equals("gateway.auth.tokens");
  }

  private static String table(String which) {
    StringBuilder t = new StringBuilder();
    if (which.equals("keys")) {
      t.append("| key | type | default | variable | meaning |\n|---|---|---|---|---|\n");
      for (ConfigKey k : ConfigKeys.ALL) {
        String def = k.derivedDefault() || k.defaultValue().equals("none") ? k.defaultValue() : "`" + k.defaultValue() + "`";
        t.append("| `").append(k.path()).append("` | ").append(k.type().docName()).append(" | ").append(def)
            .append(" | ").append(k.env() == null ? "" : "`" + k.env() + "`").append(" | ").append(k.description())
            .append(" |\n");
      }
    } else {
      t.append("| variable | key |\n|---|---|\n");
      for (EnvOverrides.Mapping m : EnvOverrides.MAPPINGS) {
        t.append("| `").append(m.variable()).append("` | `").append(m.path()).append("` |\n");
      }
    }
    return t.toString();
  }

  private static Object at(JsonObject json, String path) {
    Object v = json;
    for (String part : path.split("\\.")) {
      v = v instanceof JsonObject o ? o.getValue(part) : null;
    }
    return v;
  }

  private static void leafKeys(String prefix, JsonObject json, List<String> out) {
    for (String name : json.fieldNames()) {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      if (json.getValue(name) instanceof JsonObject child) {
        leafKeys(path, child, out);
      } else {
        out.add(path);
      }
    }
  }
}
