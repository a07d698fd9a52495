package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Environment variables that override descriptor values; this is how Helm configures pods.
 * The mapping is {@link ConfigKeys#ALL}'s {@code env} column. Values are converted to the type the
 * key expects; a value that does not convert is reported with both the variable and the key.
 */
public final class EnvOverrides {

  /** One variable and the descriptor path it sets. */
  public record Mapping(String variable, String path, ConfigKey.Type type) {
  }

  /** Every variable, in the order of {@link ConfigKeys#ALL}. */
  public static final List<Mapping> MAPPINGS = ConfigKeys.ALL.stream().filter(k -> k.env() != null)
      .map(k -> new Mapping(k.env(), k.path(), k.type())).toList();

  /** The aliases' mappings ({@link ConfigKeys#ALIASES}), applied before {@link #MAPPINGS} so a key's own variable wins. */
  public static final List<Mapping> ALIAS_MAPPINGS = ConfigKeys.ALIASES.stream()
      .flatMap(a -> a.paths().stream().map(p -> new Mapping(a.variable(), p, ConfigKeys.get(p).type()))).toList();

  private static final List<Mapping> APPLIED = Stream.concat(ALIAS_MAPPINGS.stream(), MAPPINGS.stream()).toList();

  /** The root log level's variable; logback.xml reads it, no descriptor key does. */
  public static final String LOG_LEVEL = "LOG_LEVEL";
  /**
   * The levels {@link #LOG_LEVEL} may name, any case. Logback turns any other text into DEBUG
   * without a word, so a typo would flood the log instead of failing: it is checked here.
   */
  public static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private EnvOverrides() {
  }

  /** Returns a copy of {@code descriptor} with every mapped variable present in {@code env} applied. */
  public static JsonObject apply(JsonObject descriptor, Map<String, String> env) {
    JsonObject out = descriptor.copy();
    List<ConfigException> problems = new ArrayList<>();
    String level = env.get(LOG_LEVEL);
    if (level != null && !level.isBlank() && !LOG_LEVELS.contains(level.trim().toUpperCase(java.util.Locale.ROOT))) {
      problems.add(new ConfigException(LOG_LEVEL, "environment variable " + LOG_LEVEL + " must be one of "
          + String.join(", ", LOG_LEVELS) + " (any case), got '" + level + "'"));
    }
    for (Mapping m : APPLIED) {
      String raw = env.get(m.variable());
      if (raw == null) {
        continue;
      }
      Object value;
      try {
        value = convert(m, raw.trim());
      } catch (ConfigException e) {
        problems.add(e); // every bad variable is reported, not only the first
        continue;
      }
      String[] path = m.path().split("\\.");
      JsonObject target = out;
      for (int i = 0; i < path.length - 1; i++) {
        JsonObject next = target.getJsonObject(path[i]);
        if (next == null) {
          next = new JsonObject();
          target.put(path[i], next);
        }
        target = next;
      }
      target.put(path[path.length - 1], value);
    }
    if (!problems.isEmpty()) {
      throw ConfigException.all(problems);
    }
    return out;
  }

  private static Object convert(Mapping m, String raw) {
    switch (m.type()) {
      case NUMBER:
        try {
          return Long.parseLong(raw);
        } catch (NumberFormatException e) {
          throw new ConfigException(m.path(), "environment variable " + m.variable() + " must be a whole number, got '" + raw + "'");
        }
      case BOOLEAN:
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(raw);
        }
        throw new ConfigException(m.path(), "environment variable " + m.variable() + " must be true or false, got '" + raw + "'");
      case LIST:
        return new JsonArray(Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
      default:
        return raw.isEmpty() ? null : raw;
    }
  }
}
