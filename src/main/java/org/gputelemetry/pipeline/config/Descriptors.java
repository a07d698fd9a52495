package org.gputelemetry.pipeline.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the deployment descriptor. The launcher reads {@code -conf} from disk; when it names a
 * file that is not on disk (e.g. {@code conf/edge.json} outside a checkout), the descriptor of that
 * name bundled in the jar is used. Without {@code -conf}, the bundled {@code conf/all-in-one.json}.
 * A descriptor that is not valid JSON is reported with the line and column of the error.
 */
public final class Descriptors {

  public static final String DEFAULT = "conf/all-in-one.json";

  private static final JsonFactory JSON = new JsonFactory();

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
      return bundled(DEFAULT).orElseThrow(() -> ConfigException.of("-conf: " + DEFAULT + " is missing from the jar"));
    }
    String given = asked.get();
    if (given.trim().startsWith("{")) {
      // the launcher hands over an empty object when inline JSON does not parse: parse it again to say where
      return parse("the -conf JSON", given);
    }
    Path file = Path.of(given);
    if (Files.isRegularFile(file)) {
      // on disk but not given to us by the launcher: empty, unreadable or not valid JSON
      return parse(given, read(file));
    }
    String name = given.replaceFirst("^\\./", "");
    int conf = name.lastIndexOf("conf/");
    return bundled(name)
        .or(() -> conf >= 0 ? bundled(name.substring(conf)) : Optional.empty())
        .orElseThrow(() -> ConfigException.of("-conf: no descriptor at '" + given
            + "' on disk or in the jar (bundled: conf/all-in-one.json, conf/streamer.json, ...)"));
  }

  /** A descriptor bundled in the jar, by resource path such as {@code conf/edge.json}. */
  public static Optional<JsonObject> bundled(String resource) {
    try (InputStream in = Descriptors.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(parse("bundled descriptor " + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw ConfigException.of("-conf: bundled descriptor " + resource + " is unreadable: " + e.getMessage());
    }
  }

  /**
   * Parses descriptor text; text that is not one JSON object is reported with the line and
   * column where parsing stopped ({@code conf/x.json is not valid JSON at line 3, column 7: ...}).
   */
  public static JsonObject parse(String source, String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw ConfigException.of(source + " is empty: expected a JSON object");
      }
      if (first != JsonToken.START_OBJECT) {
        throw ConfigException.of(source + " is not a JSON object (it starts with " + parser.getText() + ")");
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        JsonLocation at = parser.currentTokenLocation();
        throw ConfigException.of(source + " is not valid JSON at line " + at.getLineNr() + ", column "
            + at.getColumnNr() + ": unexpected text after the object");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      // Jackson appends where the enclosing array or object began, in a form meant for developers
      String problem = e.getOriginalMessage().replaceFirst("\\s*\\([^()]*\\[Source:.*$", "");
      throw ConfigException.of(source + " is not valid JSON" + where + ": " + problem);
    } catch (IOException e) {
      throw ConfigException.of(source + " is unreadable: " + e.getMessage());
    }
    return new JsonObject(text);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ConfigException.of("-conf: cannot read " + file + ": " + e.getMessage());
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
