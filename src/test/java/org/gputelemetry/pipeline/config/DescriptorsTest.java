package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
