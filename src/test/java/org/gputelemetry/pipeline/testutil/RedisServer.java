package org.gputelemetry.pipeline.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests (the Debian package that {@code scripts/provision-test-deps.sh}
 * installs), bound to 127.0.0.1 on a free port, with its own data directory and AOF on, so a
 * {@link #restart} keeps the data like a production Redis with persistence. {@link #stop} and
 * {@link #start} simulate an outage on the same port. Optional AUTH and a TLS-only port.
 * Thread-safe; stopped at JVM exit at the latest.
 */
public final class RedisServer implements AutoCloseable {

  private static RedisServer shared;

  private final Path dir;
  private final String password;
  private final Tls tls;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  /** TLS material for a TLS-only server: the server's certificate and key, and the CA that signed it. */
  public record Tls(Path cert, Path key, Path ca) {
  }

  private RedisServer(String password, Tls tls, List<String> extraArgs) {
    this.password = password;
    this.tls = tls;
    this.extraArgs = List.copyOf(extraArgs);
    this.port = Ports.free();
    try {
      this.dir = Files.createTempDirectory("telemetry-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "redis-cleanup"));
  }

  /** The JVM's shared plain server (no AUTH), started on first call; tests use their own stream names on it. */
  public static synchronized RedisServer shared() {
    if (shared == null) {
      shared = launch(null, null);
    }
    return shared;
  }

  /** A server of one's own; {@code password} and {@code tls} may be null. */
  public static RedisServer launch(String password, Tls tls) {
    return launch(password, tls, List.of());
  }

  /** A server of one's own with extra {@code redis-server} arguments (the benchmark's persistence settings). */
  public static RedisServer launch(String password, Tls tls, List<String> extraArgs) {
    RedisServer server = new RedisServer(password, tls, extraArgs);
    server.start();
    return server;
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  /** Starts the server (again) on its port, with the data it had. */
  public synchronized void start() {
    if (process != null) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no",
        "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
    if (tls == null) {
      cmd.addAll(List.of("--port", Integer.toString(port)));
    } else {
      cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", tls.cert().toString(),
          "--tls-key-file", tls.key().toString(), "--tls-ca-cert-file", tls.ca().toString(), "--tls-auth-clients", "no"));
    }
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    cmd.addAll(extraArgs);
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-server (scripts/provision-test-deps.sh installs it)", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!listening()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = read(dir.resolve("redis.log")) + read(dir.resolve("stdout.log"));
        process.destroyForcibly();
        process = null;
        throw new IllegalStateException("redis-server did not start on port " + port + ":\n" + log);
      }
      sleep(20);
    }
  }

  /** Stops the server as an outage would (SIGKILL: no final save, AOF as last synced); data stays. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** A crash and restart: the stream comes back from the AOF. */
  public void restart() {
    stop();
    start();
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    EmbeddedPostgresServer.deleteTree(dir);
  }
}
