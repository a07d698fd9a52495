package org.gputelemetry.pipeline.testutil;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.config.StoreSettings;
import org.gputelemetry.pipeline.config.StoreType;

/**
 * A real PostgreSQL 16 server for tests, from the binaries Maven provides (zonky), listening on
 * 127.0.0.1 only. One server per JVM, started on first use and stopped at exit; each test class
 * (or test) takes a fresh database from {@link #createDatabase}. {@link #stop()} and
 * {@link #start()} simulate an outage: the server goes away and comes back on the same port with
 * the same data. Thread-safe.
 *
 * <p>Runs as root too: zonky's binaries accept it. The server runs with {@code fsync} off (zonky's
 * default), which is right for tests; the benchmark turns durability back on.
 */
public final class EmbeddedPostgresServer {

  private static final String PREFIX = "telemetry-pg-";
  private static EmbeddedPostgresServer shared;

  private final Path dataDirectory;
  private final Map<String, String> serverConfig;
  private final AtomicInteger databases = new AtomicInteger();
  private int port;
  private EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(Map<String, String> serverConfig) {
    this.serverConfig = serverConfig;
    sweepStaleDirectories();
    try {
      this.dataDirectory = Files.createTempDirectory(PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JVM's shared server, started on first call. */
  public static synchronized EmbeddedPostgresServer shared() {
    if (shared == null) {
      shared = launch(Map.of());
    }
    return shared;
  }

  /** A server of one's own, with extra {@code postgresql.conf} settings (the benchmark's). */
  public static EmbeddedPostgresServer launch(Map<String, String> serverConfig) {
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(serverConfig);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "embedded-postgres-cleanup"));
    return server;
  }

  /**
   * A server of one's own that will listen on {@code port} but is not started yet: a test points a
   * process at a port where nothing listens, then {@link #start()}s PostgreSQL there. The shared
   * server is not touched. {@link #close()} it when done.
   */
  public static EmbeddedPostgresServer notStartedOn(int port) {
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(Map.of());
    server.port = port;
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "embedded-postgres-cleanup"));
    return server;
  }

  /** Stops the server and deletes its data (a server of one's own; the shared one lives until exit). */
  public void close() {
    destroy();
  }

  /** Starts the server (again), on the port and data directory of the first start. */
  public synchronized void start() {
    if (postgres != null) {
      return;
    }
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "200");
      serverConfig.forEach(builder::setServerConfig);
      if (port != 0) {
        builder.setPort(port);
      }
      postgres = builder.start();
      port = postgres.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  /** Stops the server (fast shutdown: open connections are cut); its data stays for {@link #start()}. */
  public synchronized void stop() {
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      postgres = null;
    }
  }

  public synchronized boolean isRunning() {
    return postgres != null;
  }

  public synchronized int port() {
    return port;
  }

  /** Creates an empty database with a unique name starting with {@code prefix}; returns the name. */
  public String createDatabase(String prefix) {
    String name = (prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + databases.incrementAndGet());
    execute("postgres", "CREATE DATABASE " + name);
    return name;
  }

  /** Drops a database, disconnecting whoever is still connected. */
  public void dropDatabase(String name) {
    execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** A JDBC connection as the superuser, for a test's own checks. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/" + database, "postgres", "");
  }

  /** Rows of the samples table of {@code database}, or -1 while the store has not created it (or the server is away). */
  public long sampleRows(String database) {
    try (Connection c = connect(database); Statement s = c.createStatement();
         java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM samples")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  public void execute(String database, String sql) {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The store settings of a {@code postgres} store on {@code database}; {@code extra} overrides keys. */
  public StoreSettings settings(String database, JsonObject extra) {
    JsonObject json = new JsonObject()
        .put("type", StoreType.POSTGRES.configName())
        .put("host", "127.0.0.1")
        .put("port", port())
        .put("database", database)
        .put("user", "postgres")
        .put("sslMode", "disable")
        .put("poolSize", 4);
    return StoreSettings.fromJson(json.mergeIn(extra));
  }

  public StoreSettings settings(String database) {
    return settings(database, new JsonObject());
  }

  /** At exit: stops the server (zonky's own exit hook may be stopping it already), then deletes its data. */
  private void destroy() {
    stop();
    Path pid = dataDirectory.resolve("postmaster.pid");
    for (int i = 0; i < 100 && Files.exists(pid); i++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
    deleteTree(dataDirectory);
  }

  /**
   * Deletes data directories that earlier test JVMs left behind (killed before their exit hook
   * ran): older than an hour and with no server running on them. Best effort.
   */
  private static void sweepStaleDirectories() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long hourAgo = System.currentTimeMillis() - 3_600_000L;
    try (Stream<Path> dirs = Files.list(tmp)) {
      dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX))
          .filter(d -> d.toFile().lastModified() < hourAgo && !Files.exists(d.resolve("postmaster.pid")))
          .forEach(EmbeddedPostgresServer::deleteTree);
    } catch (IOException | RuntimeException e) {
      // best effort
    }
  }

  /** Deletes a directory tree, going on past files that vanish or resist. */
  public static void deleteTree(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // best effort: what is left is swept by a later run
    }
  }
}
