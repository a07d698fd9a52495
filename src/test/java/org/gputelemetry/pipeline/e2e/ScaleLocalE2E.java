package org.gputelemetry.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code scripts/scale-local.sh} for real, with the built jar: a clustered fleet of separate
 * processes (one streamer in a loop, two collectors, two gateways on 8080 and 8081, a PostgreSQL
 * of its own from the installed server programs), then two more streamers, then one fewer. At
 * every step the live membership splits the GPUs among the streamers and every one of the
 * sample's 247 GPUs keeps being streamed; a gateway on either port answers for the whole fleet;
 * {@code stop} leaves nothing running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleLocalE2E {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path logs;
  private final Map<String, String> env = new HashMap<>();

  @BeforeAll
  void startFleet() throws Exception {
    logs = Files.createTempDirectory("scale-local-");
    env.put("LOGS_DIR", logs.toString());
    env.put("CLUSTER_NAME", "scale-e2e-" + ProcessHandle.current().pid());
    Result started = script(300, "start", "--streamers", "1", "--collectors", "2", "--gateways", "2");
    assertEquals(0, started.code, started.output);
  }

  @AfterAll
  void stopFleet() throws Exception {
    script(120, "stop");
  }

  record Result(int code, String output) {
  }

  private Result script(int seconds, String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "scripts/scale-local.sh";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Path out = Files.createTempFile(logs, "script", ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File(".")).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(done ? p.exitValue() : -1, output);
  }

  private static String get(int port, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The shares the streamers report on their ops ports (9101, 9102, ...), as "i/n". */
  private static Set<String> shares(int streamers) {
    Set<String> out = new TreeSet<>();
    for (int i = 1; i <= streamers; i++) {
      String ready = get(9100 + i, "/ready");
      if (ready != null) {
        out.add(new JsonObject(ready).getJsonObject("checks").getJsonObject("streamer").getString("share"));
      }
    }
    return out;
  }

  /** Each GPU's last_seen, from the gateway on {@code port}. */
  private static Map<String, String> lastSeen(int port) {
    Map<String, String> out = new HashMap<>();
    String body = get(port, "/api/v1/gpus");
    if (body != null) {
      JsonArray gpus = new JsonObject(body).getJsonArray("gpus");
      for (Object g : gpus) {
        out.put(((JsonObject) g).getString("uuid"), ((JsonObject) g).getString("last_seen"));
      }
    }
    return out;
  }

  /** Every one of the sample's GPUs gets newer samples within a few seconds (read through {@code port}). */
  private static void everyGpuKeepsBeingStreamed(int port, String step) throws InterruptedException {
    Poll.until(step + ": " + DcgmSampleFile.GPUS + " GPUs known", 60,
        () -> lastSeen(port).size() == DcgmSampleFile.GPUS);
    Map<String, String> before = lastSeen(port);
    Poll.until(step + ": every GPU's last_seen moves on", 30, () -> {
      Map<String, String> now = lastSeen(port);
      return now.size() == DcgmSampleFile.GPUS && before.entrySet().stream()
          .allMatch(e -> Instant.parse(now.get(e.getKey())).isAfter(Instant.parse(e.getValue())));
    });
  }

  @Test
  @Order(1)
  void oneStreamerStreamsEveryGpuAndBothGatewaysAnswer() throws Exception {
    Poll.until("the one streamer owns every GPU", 30, () -> shares(1).equals(Set.of("1/1")));
    everyGpuKeepsBeingStreamed(8080, "one streamer");
    assertEquals(lastSeen(8080).keySet(), lastSeen(8081).keySet(), "either gateway answers for the whole fleet");
  }

  @Test
  @Order(2)
  void twoMoreStreamersSplitTheGpusThreeWays() throws Exception {
    Result scaled = script(300, "start", "--streamers", "3");
    assertEquals(0, scaled.code, scaled.output);
    Poll.until("three shares of three", 30, () -> shares(3).equals(Set.of("1/3", "2/3", "3/3")));
    everyGpuKeepsBeingStreamed(8081, "three streamers");
  }

  @Test
  @Order(3)
  void removingAStreamerGivesItsGpusToTheOthers() throws Exception {
    Result scaled = script(120, "start", "--streamers", "2");
    assertEquals(0, scaled.code, scaled.output);
    assertTrue(scaled.output.contains("stopping streamer-3"), scaled.output);
    Poll.until("two shares of two", 30, () -> shares(2).equals(Set.of("1/2", "2/2")));
    everyGpuKeepsBeingStreamed(8080, "two streamers");
  }

  @Test
  @Order(4)
  void statusLogsAndStopCoverEveryInstance() throws Exception {
    Result status = script(60, "status");
    assertEquals(0, status.code, status.output);
    for (String id : new String[] {"streamer-1", "streamer-2", "collector-1", "collector-2", "gateway-1", "gateway-2"}) {
      assertTrue(status.output.contains(id) && status.output.contains("ready yes"), status.output);
    }
    Result log = script(30, "logs", "gateway-2");
    assertTrue(log.output.contains("Gateway listening on"), log.output);

    Result stopped = script(120, "stop");
    assertEquals(0, stopped.code, stopped.output);
    try (var pids = Files.list(logs)) {
      assertTrue(pids.noneMatch(p -> p.toString().endsWith(".pid")), "no PID files left");
    }
    assertEquals(null, get(8080, "/health"), "nothing answers any more");
    assertEquals(null, get(9101, "/health"));
  }
}
