package org.gputelemetry.pipeline.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Finds the deployment descriptor. The launcher reads {@code -conf} from disk; when it names a
 * file that is not on disk (e.g. {@code conf/edge.json} outside a checkout), the descriptor of that
 * name bundled in the jar is used. Without {@code -conf}, the bundled {@code conf/all-in-one.json}.
 */
public final class Descriptors {

  public static final String DEFAULT = "conf/all-in-one.json";

  private Descriptors() {
  }

  /**
   * @param launcherConfig what the launcher parsed (empty when no {@code -conf} or not found)
   * @param commandLine the process's arguments, to see what {@code -conf} asked for
   */
  public static JsonObject resolve(JsonObject launcherConfig, List<String> commandLine) {
    if (launcherConfig != null && !launcherConfig.isEmpty()) {
      return launcherConfig;
    }
    Optional<String> asked = confArgument(commandLine);
    if (asked.isEmpty()) {
      return bundled(DEFAULT).orElseThrow(() -> new ConfigException("-conf", DEFAULT + " is missing from the jar"));
    }
    String name = asked.get().replaceFirst("^\\./", "");
    if (name.trim().startsWith("{")) {
      return launcherConfig == null ? new JsonObject() : launcherConfig; // inline JSON, possibly "{}"
    }
    int conf = name.lastIndexOf("conf/");
    return bundled(name)
        .or(() -> conf >= 0 ? bundled(name.substring(conf)) : Optional.empty())
        .orElseThrow(() -> new ConfigException("-conf", "no descriptor at '" + asked.get()
            + "' on disk or in the jar (bundled: conf/all-in-one.json, conf/streamer.json, ...)"));
  }

  /** A descriptor bundled in the jar, by resource path such as {@code conf/edge.json}. */
  public static Optional<JsonObject> bundled(String resource) {
    try (InputStream in = Descriptors.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException | DecodeException e) {
      throw new ConfigException("-conf", "bundled descriptor " + resource + " is unreadable: " + e.getMessage());
    }
  }

  static Optional<String> confArgument(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.size()) {
        return Optional.of(args.get(i + 1));
      }
      if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        return Optional.of(a.substring(a.indexOf('=') + 1));
      }
    }
    return Optional.empty();
  }
}
