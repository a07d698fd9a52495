package org.gputelemetry.pipeline.testutil;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A PostgreSQL server from Maven's embedded binaries, for scripts that need one outside the test
 * JVM (the cross-cluster run starts it inside the central network namespace). Listens on
 * 127.0.0.1:{@code --port}, creates role and database {@code telemetry} with the password read
 * from {@code --password-file}, writes {@code --ready-file} when it accepts connections, and runs
 * until killed. Usage: {@code PostgresServerMain --port 5432 --password-file F --ready-file R}.
 */
public final class PostgresServerMain {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(arg(args, "--port", "5432"));
    String password = Files.readString(Path.of(arg(args, "--password-file", null)), StandardCharsets.UTF_8).strip();
    Path ready = Path.of(arg(args, "--ready-file", null));
    Path data = Files.createTempDirectory("e2e-postgres-");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(true)
        .setServerConfig("listen_addresses", "127.0.0.1").start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        pg.close();
      } catch (Exception ignored) {
        // exiting anyway
      }
      EmbeddedPostgresServer.deleteTree(data);
    }));
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE telemetry LOGIN PASSWORD '" + password.replace("'", "''") + "'");
      s.execute("CREATE DATABASE telemetry OWNER telemetry");
    }
    Files.writeString(ready, "127.0.0.1:" + port);
    System.out.println("PostgreSQL ready on 127.0.0.1:" + port);
    Thread.currentThread().join();
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    if (def == null) {
      throw new IllegalArgumentException("missing " + name);
    }
    return def;
  }
}
