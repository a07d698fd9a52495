package org.gputelemetry.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code scripts/e2e-cross-cluster.sh}: the built jar as edge and central "clusters" in
 * separate network namespaces with Redis between them, a cut link, and an exactly-once check.
 * Needs root for {@code ip netns} (CI runs as root).
 */
class CrossClusterE2E {

  @Test
  void everyRowCrossesFromEdgeToCentralExactlyOnceAcrossACutLink() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
    Path log = Files.createTempFile("e2e-cross-cluster", ".log");
    Process p = new ProcessBuilder("scripts/e2e-cross-cluster.sh").redirectErrorStream(true)
        .redirectOutput(log.toFile()).directory(new File(".")).start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertTrue(done, "the cross-cluster run did not finish in 10 minutes:\n" + output);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("exactly once"), output);
  }
}
