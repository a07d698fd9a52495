package org.gputelemetry.pipeline.testutil;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline in a JVM of its own, started as the jar starts it ({@code VertxApplication} with
 * the main verticle and {@code -conf}) on the test classpath: for tests that need a process to
 * die ({@code kill -9}) or several processes to talk through a real transport. Output goes to a
 * log file whose tail a failing test prints. The process is killed at JVM exit at the latest.
 */
public final class PipelineProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Path log;
  private final int opsPort;
  private final Process process;

  private PipelineProcess(String name, Path log, int opsPort, Process process) {
    this.name = name;
    this.log = log;
    this.opsPort = opsPort;
    this.process = process;
  }

  /**
   * Starts a pipeline process with {@code descriptor} (its {@code ops} or {@code gateway} port is
   * what {@link #ready} polls) and extra environment variables.
   *
   * @param port the HTTP port serving {@code /ready}: the gateway's, or the ops server's
   */
  public static PipelineProcess start(String name, JsonObject descriptor, int port, Map<String, String> env, Path logDir) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dvertx.disableDnsResolver=true",
        "-Dhazelcast.logging.type=slf4j", "-cp", System.getProperty("java.class.path"),
        "io.vertx.launcher.application.VertxApplication", "org.gputelemetry.pipeline.PipelineVerticle",
        "-conf", descriptor.encode()));
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      PipelineProcess p = new PipelineProcess(name, log, port, pb.start());
      Runtime.getRuntime().addShutdownHook(new Thread(p.process::destroyForcibly));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code /ready} answers 200; fails with the log's tail if it does not in time. */
  public PipelineProcess ready(int seconds) {
    Poll.until(name + " ready\n" + tail(), seconds, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      return status("/ready") == 200;
    });
    return this;
  }

  /** Waits until the process answers HTTP at all (it may report not ready). */
  public PipelineProcess up(int seconds) {
    Poll.until(name + " answering\n" + tail(), seconds, () -> status("/health") == 200);
    return this;
  }

  /** The HTTP status of {@code GET path} on its port, or -1 if nothing answers. */
  public int status(String path) {
    try {
      return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The body of {@code GET path}, or null if nothing answers. */
  public String get(String path) {
    return get(path, null);
  }

  /** The body of {@code GET path} with {@code Authorization: Bearer token} (none when null), or null if nothing answers. */
  public String get(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(request(path), (name, value) -> true);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The readiness document's detail for {@code check} (e.g. the streamer's rows acknowledged), or null. */
  public JsonObject readiness(String check) {
    String body = get("/ready");
    if (body == null) {
      return null;
    }
    return new JsonObject(body).getJsonObject("checks", new JsonObject()).getJsonObject(check);
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path)).timeout(Duration.ofSeconds(5)).build();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster, nothing flushed. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM: the verticles stop cleanly. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The name it was started with (its log file's name). */
  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  /** The last lines of its log, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.contains(" DEBUG ")).toList();
      return "----- " + name + " (last lines)\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
