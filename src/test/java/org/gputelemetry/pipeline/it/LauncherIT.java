package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real launcher ({@code VertxApplication} with our main verticle, as the jar's manifest
 * does) in a child JVM: a bad descriptor must exit non-zero and say which key is wrong; a port in
 * use, in one line, which port and how to change it.
 */
class LauncherIT {

  private static Result launch(String... args) throws IOException, InterruptedException {
    return launch(Map.of(), args);
  }

  private static Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.vertx.launcher.application.VertxApplication",
        "org.gputelemetry.pipeline.PipelineVerticle"));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
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

  @Test
  void portInUseExitsNonZeroWithOneLineNamingThePortAndItsKey() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      Result r = launch("-conf", "{\"roles\":[\"gateway\"],\"gateway\":{\"host\":\"127.0.0.1\",\"port\":" + port + "}}");
      assertNotEquals(0, r.code(), r.output());
      String message = "gateway.port " + port + " is already in use (set gateway.port or GATEWAY_PORT)";
      assertEquals(1, r.output().lines().filter(l -> l.contains(message)).count(), r.output());
      assertEquals(1, r.output().lines().filter(l -> l.contains("ERROR")).count(), r.output());
      assertFalse(r.output().contains("\tat "), "stack trace printed:\n" + r.output());
    }
  }

  @Test
  void malformedDescriptorFileExitsNonZeroNamingLineAndColumn(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.json"), "{\n  \"roles\": [\"streamer\",\n}\n");
    Result r = launch("-conf", file.toString());
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains(file + " is not valid JSON at line 3, column 1"), r.output());
  }

  @Test
  void malformedInlineDescriptorExitsNonZeroNamingLineAndColumn() throws Exception {
    Result r = launch("-conf", "{\"roles\": [\"streamer\"}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("the -conf JSON is not valid JSON at line 1, column 22"), r.output());
  }

  @Test
  void everyBadKeyIsReportedInOneStart() throws Exception {
    Result r = launch("-conf", "{\"streamer\":{\"batchSize\":-1,\"ratee\":5},\"transport\":{\"type\":\"kafka\"}}");
    assertNotEquals(0, r.code(), r.output());
    for (String key : List.of("'streamer.batchSize'", "'streamer.ratee'", "'transport.type'")) {
      assertTrue(r.output().contains(key), key + " missing:\n" + r.output());
    }
  }

  @Test
  void missingCsvIsReportedBeforeTheGatewayBindsItsPort() throws Exception {
    // the gateway's port is taken: had the gateway started first, the start would fail on the port instead
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Result r = launch("-conf", "{\"streamer\":{\"csvPath\":\"/nonexistent/dcgm.csv\"},"
          + "\"gateway\":{\"host\":\"127.0.0.1\",\"port\":" + taken.getLocalPort() + "}}");
      assertNotEquals(0, r.code(), r.output());
      assertTrue(r.output().contains("streamer.csvPath") && r.output().contains("/nonexistent/dcgm.csv"), r.output());
      assertFalse(r.output().contains("already in use"), r.output());
    }
  }

  @Test
  void unknownLogLevelExitsNonZeroNamingTheVariable() throws Exception {
    Result r = launch(Map.of("LOG_LEVEL", "verbose"), "-conf", "{\"roles\":[\"collector\"],\"ops\":{\"enabled\":false}}");
    assertNotEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("'LOG_LEVEL'") && r.output().contains("verbose"), r.output());
  }

  @Test
  void logLevelFromTheEnvironmentIsApplied(@TempDir Path dir) throws Exception {
    int port = Ports.free();
    JsonObject descriptor = Pipelines.merge(
        Pipelines.onePassAllInOne(null), new JsonObject()
            .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", port)));
    for (String level : List.of("warn", "DEBUG")) {
      try (PipelineProcess p = PipelineProcess.start(level, descriptor, port, Map.of("LOG_LEVEL", level), dir)) {
        p.ready(60);
        p.stop();
      }
      List<String> lines = Files.readAllLines(dir.resolve(level + ".log"));
      boolean info = lines.stream().anyMatch(l -> l.contains(" INFO  ["));
      boolean debug = lines.stream().anyMatch(l -> l.contains(" DEBUG ["));
      if (level.equals("warn")) {
        assertFalse(info || debug, "LOG_LEVEL=warn logs no INFO or DEBUG line:\n" + String.join("\n", lines));
      } else {
        assertTrue(info && debug, "LOG_LEVEL=DEBUG logs both:\n" + String.join("\n", lines.subList(0, Math.min(40, lines.size()))));
      }
    }
  }
}
