package org.gputelemetry.pipeline.testutil;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.transport.Transport;
import org.gputelemetry.pipeline.transport.Transports;

/**
 * A collector member of a clustered transport in a child JVM, so a test can freeze
 * ({@code SIGSTOP}) or kill ({@code SIGKILL}) a whole member the way a node hangs or dies, which
 * closing a Vert.x instance cannot imitate. The child advertises the roles it is given (always
 * consuming as a collector), acknowledges every batch it receives, and prints {@value #READY} once
 * it has joined and consumes.
 */
public final class ClusterMemberProcess implements AutoCloseable {

  static final String READY = "MEMBER-READY";

  private final Process process;

  private ClusterMemberProcess(Process process) {
    this.process = process;
  }

  /** Starts a collector member of the cluster {@code transport} describes and waits until it consumes. */
  public static ClusterMemberProcess startCollector(JsonObject transport, String instanceId, List<String> roles)
      throws IOException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dhazelcast.logging.type=slf4j", "-Dvertx.disableDnsResolver=true",
        "-cp", System.getProperty("java.class.path"), ClusterMemberProcess.class.getName(), transport.encode(), instanceId,
        String.join(",", roles));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder log = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null && !line.contains(READY)) {
      log.append(line).append('\n');
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IllegalStateException("cluster member process exited before joining:\n" + log);
    }
    // keep draining its output (into the test's output, for diagnosis), or the child blocks on a full pipe
    Thread drain = new Thread(() -> {
      try {
        String l;
        while ((l = out.readLine()) != null) {
          System.out.println("[" + instanceId + "] " + l);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "cluster-member-output");
    drain.setDaemon(true);
    drain.start();
    return new ClusterMemberProcess(p);
  }

  /** Sends {@code signal} ({@code STOP}, {@code CONT}, {@code KILL}) to the member's JVM. */
  public void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** The child: {@code ClusterMemberProcess <transport JSON> <instance id> <roles, comma-separated>}. */
  public static void main(String[] args) throws InterruptedException {
    // the parent never writes to our stdin: end of input means it is gone, so never outlive it
    Thread orphanGuard = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent
        }
      } catch (IOException ignored) {
        // treated as the parent's end
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watch");
    orphanGuard.setDaemon(true);
    orphanGuard.start();
    Vertx vertx = Vertx.vertx();
    Transport transport = Transports.create(vertx, TransportSettings.fromJson(new JsonObject(args[0])), args[1],
        List.of(args[2].split(",")), TestMetrics.create());
    await(transport.start().compose(v -> transport.consume(batch -> Future.succeededFuture())), 60);
    System.out.println(READY);
    System.out.flush();
    Thread.currentThread().join();
  }
}
