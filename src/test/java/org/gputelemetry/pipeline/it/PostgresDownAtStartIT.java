package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.store.postgres.PostgresTelemetryStore;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL down when the process starts: {@code conf/all-in-one-postgres.json} is booted against
 * a loopback port where nothing listens. The process comes up and stays up (liveness 200),
 * readiness answers 503 with the store check failing while the store retries with backoff, and
 * the streamer's rows wait unacknowledged. Then a PostgreSQL server of the test's own is started
 * on that port: readiness turns 200, the schema is created and every row of the sample is written
 * once. The JVM's shared PostgreSQL server is never touched, so other test classes are unaffected.
 */
class PostgresDownAtStartIT {

  private final Vertx vertx = Vertx.vertx();
  private int port;
  private EmbeddedPostgresServer server;
  private ListAppender<ILoggingEvent> log;
  private Logger storeLogger;

  @BeforeEach
  void setUp() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    server = EmbeddedPostgresServer.notStartedOn(port);
    storeLogger = (Logger) LoggerFactory.getLogger(PostgresTelemetryStore.class);
    log = new ListAppender<>();
    log.start();
    storeLogger.addAppender(log);
  }

  @AfterEach
  void tearDown() {
    storeLogger.detachAppender(log);
    await(vertx.close());
    server.close();
  }

  private long rows() {
    try (Connection c = server.connect("postgres"); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT count(*) FROM samples")) {
      r.next();
      return r.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // schema not created yet
    }
  }

  /** Log lines of this test's store (other classes' stores log to the same logger). */
  private long messages(Level level, String text) {
    String target = ":" + port + "/";
    return log.list.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text)
        && e.getFormattedMessage().contains(target)).count();
  }

  @Test
  void processStaysUpNotReadyWhilePostgresIsDownThenWritesEveryRowWhenItComesUp() throws Exception {
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one-postgres.json"), new JsonObject()
        .put("streamer", new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", 0))
        .put("collector", new JsonObject().put("store", new JsonObject()
            .put("port", port).put("database", "postgres").put("user", "postgres").put("sslMode", "disable")
            // the sample is from 2025: keep it rather than expire it at the first maintenance pass
            .put("retention", "0d")))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
    PipelineVerticle pipeline = Pipelines.deploy(vertx, descriptor);
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());
    assertEquals(4, deployed.size(), "the main verticle and its three roles");
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));

    // several retries' worth of time (250 ms doubling): the process is still there and still not ready
    Thread.sleep(3_000);
    assertEquals(deployed, Set.copyOf(vertx.deploymentIDs()), "every role is still deployed");
    HttpResponse<Buffer> health = await(client.get("/health").send());
    assertEquals(200, health.statusCode(), health.bodyAsString());
    assertEquals("UP", health.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> ready = await(client.get("/ready").send());
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    JsonObject checks = ready.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("DOWN", ready.bodyAsJsonObject().getString("status"));
    assertEquals("DOWN", checks.getJsonObject("store").getString("status"), checks.encode());
    assertNotNull(checks.getJsonObject("store").getString("error"), checks.encode());
    assertEquals("UP", checks.getJsonObject("transport").getString("status"), checks.encode());
    HttpResponse<Buffer> query = await(client.get("/api/v1/gpus").send());
    assertEquals(503, query.statusCode(), query.bodyAsString());
    assertNotNull(query.bodyAsJsonObject().getString("error"));
    assertFalse(pipeline.streamer().finished().isComplete(), "no row can be acknowledged yet");
    assertEquals(1, messages(Level.WARN, "unreachable"), "the outage is logged once, not per retry: " + log.list);

    server.start();
    assertEquals(port, server.port());
    Poll.until("/ready 200 once PostgreSQL is up", 60, () -> await(client.get("/ready").send()).statusCode() == 200);
    JsonObject store = await(client.get("/ready").send()).bodyAsJsonObject().getJsonObject("checks")
        .getJsonObject("store");
    assertEquals("UP", store.getString("status"), store.encode());
    assertEquals("postgres", store.getString("type"), store.encode());

    await(pipeline.streamer().finished(), 60);
    int total = SampleCsv.rows().size();
    assertEquals(total, rows(), "every row of the sample, once");
    assertEquals(DcgmSampleFile.GPUS, await(client.get("/api/v1/gpus").send()).bodyAsJsonObject().getInteger("count"));
    assertEquals(1, messages(Level.WARN, "unreachable"), log.list.toString());
    assertEquals(1, messages(Level.INFO, "reachable again"), log.list.toString());
    assertTrue(messages(Level.INFO, "store ready") >= 1, log.list.toString());
  }
}
