package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Typed, validating reads of one block of a deployment descriptor. Every problem names the full
 * key ({@code collector.batchSize}), so a pod with a bad descriptor says exactly what to fix.
 * A read that finds a problem records it and returns the default, so that one start reports
 * every bad key at once: the blocks of one descriptor share one list of problems, and
 * {@link #check()} throws them all together. Not thread-safe; used once, at start.
 */
public final class DescriptorJson {

  private final JsonObject json;
  private final String prefix;
  private final List<ConfigException> problems;

  private DescriptorJson(JsonObject json, String prefix, List<ConfigException> problems) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
    this.problems = problems;
  }

  /** Reads {@code json}, whose keys are reported under {@code prefix} (empty for the top level). */
  public static DescriptorJson of(JsonObject json, String prefix) {
    return new DescriptorJson(json, prefix, new ArrayList<>());
  }

  /** The block as given (never null). */
  public JsonObject json() {
    return json;
  }

  /** The full path of {@code name} in this block. */
  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  /** Records a problem with {@code name}; {@link #check()} reports it with the others. */
  public void problem(String name, String problem) {
    problems.add(new ConfigException(key(name), problem));
  }

  /** Throws every problem recorded in this descriptor so far, in one exception; does nothing when none. */
  public void check() {
    if (!problems.isEmpty()) {
      throw ConfigException.all(problems);
    }
  }

  /**
   * Rejects keys that {@link ConfigKeys} does not list for this block: a typo must not silently
   * fall back to a default. Every unknown key is reported.
   */
  public DescriptorJson allowOnly() {
    Set<String> known = ConfigKeys.namesIn(prefix);
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        problem(name, "unknown key (known keys: " + String.join(", ", known) + ")");
      }
    }
    return this;
  }

  /** The block {@code name}; an empty one when absent (or, recorded as a problem, not an object). */
  public DescriptorJson child(String name) {
    Object v = json.getValue(name);
    if (v != null && !(v instanceof JsonObject)) {
      problem(name, "expected an object, got " + v);
      v = null;
    }
    return new DescriptorJson((JsonObject) v, key(name), problems);
  }

  public boolean has(String name) {
    return json.getValue(name) != null;
  }

  public String string(String name, String def) {
    return read(def, () -> {
      Object v = json.getValue(name);
      if (v == null) {
        return def;
      }
      if (!(v instanceof String s)) {
        throw new ConfigException(key(name), "expected a string, got " + v);
      }
      return s;
    });
  }

  /** One of {@code allowed}, spelled exactly (case-sensitive). */
  public String choice(String name, String def, Set<String> allowed) {
    return read(def, () -> {
      String v = string(name, def);
      if (v != null && !allowed.contains(v)) {
        throw new ConfigException(key(name), "expected one of " + allowed + ", got '" + v + "'");
      }
      return v;
    });
  }

  /** A constant of {@code type} by its {@link ConfigChoice#configName()} (case-sensitive). */
  public <E extends Enum<E> & ConfigChoice> E choice(String name, E def, Class<E> type) {
    return read(def, () -> {
      Object v = json.getValue(name);
      if (v == null) {
        return def;
      }
      E e = v instanceof String s ? ConfigChoice.parse(type, s) : null;
      if (e == null) {
        throw new ConfigException(key(name), "expected one of " + String.join(", ", ConfigChoice.names(type))
            + ", got '" + v + "'");
      }
      return e;
    });
  }

  public boolean bool(String name, boolean def) {
    return read(def, () -> {
      Object v = json.getValue(name);
      if (v == null) {
        return def;
      }
      if (v instanceof Boolean b) {
        return b;
      }
      throw new ConfigException(key(name), "expected true or false, got " + v);
    });
  }

  public long integer(String name, long def, long min, long max) {
    return read(def, () -> {
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
    });
  }

  public int intValue(String name, int def, int min, int max) {
    return (int) integer(name, def, min, max);
  }

  /** A size ({@link ByteSizes}): a number of bytes or a string such as {@code 512m} or {@code 60%} of {@code maxHeap}. */
  public long size(String name, String def, long maxHeap, long min) {
    long fallback = ByteSizes.parse(key(name), def, maxHeap);
    return read(fallback, () -> {
      Object v = json.getValue(name);
      if (v == null) {
        return fallback;
      }
      long n = v instanceof Number num ? num.longValue() : ByteSizes.parse(key(name), v.toString(), maxHeap);
      if (n < min) {
        throw new ConfigException(key(name), "must be at least " + min + " bytes, got " + n);
      }
      return n;
    });
  }

  public Duration duration(String name, Duration def) {
    return read(def, () -> {
      Object v = json.getValue(name);
      if (v == null) {
        return def;
      }
      if (v instanceof Number n) {
        return Duration.ofMillis(n.longValue());
      }
      return Durations.parse(key(name), v.toString());
    });
  }

  /**
   * A secret given inline ({@code key}) or, preferably, as a file ({@code fileKey}: a mounted
   * Kubernetes secret); the file wins. Blank means none.
   */
  public String secret(String key, String fileKey) {
    String file = string(fileKey, null);
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        problem(fileKey, "cannot read " + file + ": " + e.getMessage());
        return null;
      }
    }
    String v = string(key, null);
    return v == null || v.isEmpty() ? null : v;
  }

  public List<String> strings(String name, List<String> def) {
    return read(def, () -> {
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
    });
  }

  private <T> T read(T def, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ConfigException e) {
      problems.add(e);
      return def;
    }
  }
}
