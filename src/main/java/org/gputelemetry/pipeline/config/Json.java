package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed, validating reads of one descriptor block. Every error names the full key
 * ({@code collector.batchSize}), so a pod with a bad descriptor says exactly what to fix.
 */
public final class Json {

  private final JsonObject json;
  private final String prefix;

  private Json(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  /** Reads {@code json}, whose keys are reported under {@code prefix} (empty for the top level). */
  public static Json of(JsonObject json, String prefix) {
    return new Json(json, prefix);
  }

  /** The block as given (never null). */
  public JsonObject json() {
    return json;
  }

  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  /** Rejects keys other than {@code known}: a typo must not silently fall back to a default. */
  public Json allowOnly(Set<String> known) {
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        throw new ConfigException(key(name), "unknown key (known keys: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
    return this;
  }

  public Json child(String name) {
    Object v = json.getValue(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ConfigException(key(name), "expected an object");
    }
    return new Json((JsonObject) v, key(name));
  }

  public boolean has(String name) {
    return json.getValue(name) != null;
  }

  public String string(String name, String def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(key(name), "expected a string, got " + v);
    }
    return s;
  }

  public String choice(String name, String def, Set<String> allowed) {
    String v = string(name, def);
    if (v != null && !allowed.contains(v)) {
      throw new ConfigException(key(name), "expected one of " + allowed + ", got '" + v + "'");
    }
    return v;
  }

  public boolean bool(String name, boolean def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new ConfigException(key(name), "expected true or false, got " + v);
  }

  public long integer(String name, long def, long min, long max) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(key(name), "expected a whole number, got " + v);
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + l);
    }
    return l;
  }

  public int intValue(String name, int def, int min, int max) {
    return (int) integer(name, def, min, max);
  }

  public Duration duration(String name, Duration def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n) {
      return Duration.ofMillis(n.longValue());
    }
    return Durations.parse(key(name), v.toString());
  }

  /**
   * A secret given inline ({@code key}) or, preferably, as a file ({@code fileKey}: a mounted
   * Kubernetes secret); the file wins. Blank means none.
   */
  public String secret(String key, String fileKey) {
    String file = string(fileKey, null);
    if (file != null && !file.isBlank()) {
      try {
        return java.nio.file.Files.readString(java.nio.file.Path.of(file), java.nio.charset.StandardCharsets.UTF_8).strip();
      } catch (java.io.IOException e) {
        throw new ConfigException(key(fileKey), "cannot read " + file + ": " + e.getMessage());
      }
    }
    String v = string(key, null);
    return v == null || v.isEmpty() ? null : v;
  }

  public List<String> strings(String name, List<String> def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof JsonArray arr)) {
      throw new ConfigException(key(name), "expected an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String s)) {
        throw new ConfigException(key(name), "expected an array of strings, found " + o);
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
