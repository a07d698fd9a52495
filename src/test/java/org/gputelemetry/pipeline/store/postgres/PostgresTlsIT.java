package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code sslMode} settings against a PostgreSQL server with TLS on (its own server, with a
 * self-signed certificate for 127.0.0.1 made by openssl; skipped where openssl is missing).
 */
class PostgresTlsIT {

  private static final Gpu GPU = new Gpu("GPU-tls", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");

  private static Path dir;
  private static EmbeddedPostgresServer server;
  private static Vertx vertx;

  @BeforeAll
  static void startTlsServer() throws Exception {
    assumeTrue(openssl("version"), "openssl is not installed");
    dir = Files.createTempDirectory("telemetry-tls-");
    assertTrue(openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.crt").toString()));
    assertTrue(openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=someone-else",
        "-keyout", dir.resolve("other.key").toString(), "-out", dir.resolve("other.crt").toString()));
    dir.resolve("server.key").toFile().setReadable(false, false);
    dir.resolve("server.key").toFile().setReadable(true, true);
    server = EmbeddedPostgresServer.launch(Map.of("ssl", "on",
        "ssl_cert_file", dir.resolve("server.crt").toString(),
        "ssl_key_file", dir.resolve("server.key").toString()));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (server != null) {
      server.stop();
    }
    if (dir != null) {
      EmbeddedPostgresServer.deleteTree(dir);
    }
  }

  private static boolean openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private PostgresTelemetryStore store(String database, JsonObject tls) {
    return new PostgresTelemetryStore(vertx, server.settings(database, tls));
  }

  /** Connections of the store to the server that are encrypted. */
  private long encryptedConnections(String database) throws Exception {
    try (Connection c = server.connect(database); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_ssl l JOIN pg_stat_activity a USING (pid)"
             + " WHERE a.application_name = '" + PgClientOptions.APPLICATION_NAME + "' AND l.ssl")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void requireEncryptsWithoutCheckingTheCertificate() throws Exception {
    String db = server.createDatabase("tls_require");
    PostgresTelemetryStore store = store(db, new JsonObject().put("sslMode", "require"));
    try {
      await(store.start());
      await(store.write(List.of(new Sample(GPU, "m", Timestamps.nowMicros(), 1, null, null, null))));
      assertTrue(encryptedConnections(db) > 0);
    } finally {
      await(store.close());
    }
  }

  @Test
  void verifyFullConnectsWhenTheRootCertificateSignedTheServersAndNamesTheHost() throws Exception {
    String db = server.createDatabase("tls_verify");
    PostgresTelemetryStore store = store(db, new JsonObject().put("sslMode", "verify-full")
        .put("sslRootCert", dir.resolve("server.crt").toString()));
    try {
      await(store.start());
      await(store.ping());
      assertTrue(encryptedConnections(db) > 0);
    } finally {
      await(store.close());
    }
  }

  @Test
  void verifyFullRefusesAServerItCannotAuthenticate() throws Exception {
    String db = server.createDatabase("tls_refuse");
    PostgresTelemetryStore store = store(db, new JsonObject().put("sslMode", "verify-full")
        .put("sslRootCert", dir.resolve("other.crt").toString()));
    try {
      Future<Void> started = store.start();
      Thread.sleep(1000);
      assertFalse(started.isComplete(), "start keeps retrying: the server is not trusted");
      assertEquals(0, encryptedConnections(db));
    } finally {
      await(store.close());
    }
  }
}
