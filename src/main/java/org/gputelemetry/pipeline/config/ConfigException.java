package org.gputelemetry.pipeline.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A deployment descriptor value that cannot be used; the message names the key and, when there
 * are several, every one of them, one per line. Carries no stack trace: it is a user's mistake,
 * and the launcher prints the message alone.
 */
public final class ConfigException extends RuntimeException {

  private final List<ConfigException> problems;

  public ConfigException(String key, String problem) {
    super("invalid configuration '" + key + "': " + problem, null, false, false);
    this.problems = List.of(this);
  }

  private ConfigException(String message, List<ConfigException> problems) {
    super(message, null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** All of {@code problems} in one exception (the only one when there is one). */
  public static ConfigException all(List<ConfigException> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    return new ConfigException(problems.size() + " configuration problems:\n" + problems.stream()
        .map(ConfigException::getMessage).collect(Collectors.joining("\n")), problems);
  }

  /**
   * A port the descriptor names is taken by another process; says how to choose another
   * ({@code gateway.port 8080 is already in use (set gateway.port or GATEWAY_PORT)}).
   */
  public static ConfigException portInUse(String key, int port) {
    return new ConfigException(key + " " + port + " is already in use (set " + ConfigKeys.howToSet(key) + ")",
        List.of());
  }

  /** A problem that is not about one key's value (a descriptor that is not JSON at all). */
  public static ConfigException of(String message) {
    return new ConfigException(message, List.of());
  }

  /** Each problem found (this one alone unless several were collected). */
  public List<ConfigException> problems() {
    return problems.isEmpty() ? List.of(this) : problems;
  }
}
