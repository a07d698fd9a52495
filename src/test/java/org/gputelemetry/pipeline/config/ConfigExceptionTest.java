package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigExceptionTest {

  @Test
  void portInUseNamesThePortTheKeyAndTheVariable() {
    assertEquals("gateway.port 8080 is already in use (set gateway.port or GATEWAY_PORT)",
        ConfigException.portInUse("gateway.port", 8080).getMessage());
    assertEquals("ops.port 9090 is already in use (set ops.port or OPS_PORT)",
        ConfigException.portInUse("ops.port", 9090).getMessage());
  }

  @Test
  void severalProblemsAreListedOnePerLine() {
    ConfigException all = ConfigException.all(List.of(new ConfigException("a", "bad"), new ConfigException("b.c", "worse")));
    assertEquals("2 configuration problems:\ninvalid configuration 'a': bad\ninvalid configuration 'b.c': worse",
        all.getMessage());
    assertEquals(2, all.problems().size());
    assertEquals(0, all.getStackTrace().length);
  }

  @Test
  void oneProblemIsReportedAsItself() {
    ConfigException one = new ConfigException("streamer.batchSize", "must be between 1 and 100000, got -1");
    assertEquals(one, ConfigException.all(List.of(one)));
  }
}
