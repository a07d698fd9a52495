package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorsTest {

  @Test
  void noConfArgumentMeansTheBundledAllInOneDescriptor() {
    JsonObject d = Descriptors.resolve(new JsonObject(), List.of("-jar", "telemetry-pipeline.jar"));
    assertEquals(Descriptors.bundled("conf/all-in-one.json").orElseThrow(), d);
  }

  @Test
  void confPathMissingOnDiskFallsBackToTheDescriptorOfThatNameInTheJar() {
    JsonObject d = Descriptors.resolve(new JsonObject(), List.of("-jar", "x.jar", "-conf", "/somewhere/conf/streamer.json"));
    assertEquals(List.of("streamer"), d.getJsonArray("roles").getList());
  }

  @Test
  void descriptorFoundByTheLauncherWins() {
    JsonObject given = new JsonObject().put("roles", List.of("gateway"));
    assertEquals(given, Descriptors.resolve(given, List.of("-conf", "mine.json")));
  }

  @Test
  void unknownDescriptorNameFailsNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Descriptors.resolve(new JsonObject(), List.of("-conf", "conf/nope.json")));
    assertTrue(e.getMessage().contains("conf/nope.json"), e.getMessage());
  }

  @Test
  void malformedDescriptorFileIsReportedWithLineAndColumn(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("bad.json"), "{\n  \"roles\": [\"streamer\"\n  \"streamer\": {}\n}\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> Descriptors.resolve(new JsonObject(), List.of("-conf", file.toString())));
    assertTrue(e.getMessage().startsWith(file + " is not valid JSON at line 3, column 3: "), e.getMessage());
  }

  @Test
  void malformedInlineDescriptorIsReportedWithLineAndColumn() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Descriptors.resolve(new JsonObject(), List.of("-conf", "{\"roles\": [\"streamer\",]}")));
    assertTrue(e.getMessage().startsWith("the -conf JSON is not valid JSON at line 1, column 23: "), e.getMessage());
    assertTrue(!e.getMessage().contains("[Source:"), e.getMessage());
  }

  @Test
  void descriptorThatIsNotAnObjectOrHasTrailingTextIsRejected() {
    ConfigException array = assertThrows(ConfigException.class, () -> Descriptors.parse("x.json", "[1]"));
    assertTrue(array.getMessage().contains("x.json is not a JSON object"), array.getMessage());
    ConfigException trailing = assertThrows(ConfigException.class, () -> Descriptors.parse("x.json", "{}\n{}"));
    assertTrue(trailing.getMessage().contains("x.json is not valid JSON at line 2, column 1"), trailing.getMessage());
    ConfigException empty = assertThrows(ConfigException.class, () -> Descriptors.parse("x.json", "  "));
    assertTrue(empty.getMessage().contains("x.json is empty"), empty.getMessage());
  }

  @Test
  void validDescriptorFileTheLauncherLeftEmptyIsReadFromDisk(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("empty.json"), "{}");
    assertEquals(new JsonObject(), Descriptors.resolve(new JsonObject(), List.of("-conf", file.toString())));
  }
}
