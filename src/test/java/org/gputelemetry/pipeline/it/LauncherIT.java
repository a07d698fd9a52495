package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starts the real launcher ({@code VertxApplication} with our main verticle, as the jar's manifest
 * does) in a child JVM: a bad descriptor must exit non-zero and say which key is wrong.
 */
class LauncherIT {

  private static Result launch(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.vertx.launcher.application.VertxApplication",
        "org.gputelemetry.pipeline.PipelineVerticle"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
      throw new AssertionError("launcher did not exit");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  record Result(int code, String output) {
  }

  @Test
  void unknownRoleExitsNonZeroNamingTheKey() throws Exception {
    Result r = launch("-conf", "{\"roles\":[\"streamer\",\"archiver\"]}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("'roles'") && r.output().contains("archiver"), r.output());
  }

  @Test
  void negativeBatchSizeExitsNonZeroNamingTheKey() throws Exception {
    Result r = launch("-conf", "{\"streamer\":{\"batchSize\":-1}}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("streamer.batchSize"), r.output());
  }

  @Test
  void wrongTypeExitsNonZeroNamingTheKey() throws Exception {
    Result r = launch("-conf", "{\"collector\":{\"workers\":\"two\"}}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("collector.workers"), r.output());
  }

  @Test
  void unusableSpoolDirectoryExitsNonZeroNamingTheKey() throws Exception {
    Result r = launch("-conf", "{\"roles\":[\"streamer\"],\"ops\":{\"enabled\":false},"
        + "\"transport\":{\"type\":\"redis\",\"spool\":{\"dir\":\"/proc/no-spool-here\"}}}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("transport.spool.dir") && r.output().contains("/proc/no-spool-here"), r.output());
  }

  @Test
  void missingCsvFileExitsNonZeroNamingTheKey() throws Exception {
    Result r = launch("-conf", "{\"roles\":[\"streamer\"],\"streamer\":{\"csvPath\":\"/nonexistent/dcgm.csv\"}}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("streamer.csvPath") && r.output().contains("/nonexistent/dcgm.csv"), r.output());
  }
}
