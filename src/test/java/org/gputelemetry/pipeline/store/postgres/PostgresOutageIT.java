package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL going away and coming back, with the JVM's shared server stopped and restarted on
 * the same port and data: nothing written before is lost, a batch retried until it succeeds is
 * stored once, and each change of state is logged once.
 */
class PostgresOutageIT {

  private static final Gpu GPU = new Gpu("GPU-outage", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");

  private static Vertx vertx;
  private static EmbeddedPostgresServer server;
  private StoreFixture db;
  private ListAppender<ILoggingEvent> log;
  private Logger storeLogger;

  @BeforeAll
  static void startVertx() {
    server = EmbeddedPostgresServer.shared();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void setUp() {
    db = new StoreFixture(vertx, "outage");
    storeLogger = (Logger) LoggerFactory.getLogger(PostgresTelemetryStore.class);
    log = new ListAppender<>();
    log.start();
    storeLogger.addAppender(log);
  }

  @AfterEach
  void tearDown() {
    server.start(); // whatever happened, the next test finds the server up
    storeLogger.detachAppender(log);
    db.close();
  }

  private static List<Sample> batch(int from, int n) {
    long t0 = Timestamps.nowMicros();
    List<Sample> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(new Sample(GPU, "m" + (i % 3), t0 + i * 1000L, i, null, null, null));
    }
    return out;
  }

  /** Retries like a collector does: the same batch, every 100 ms, until it is stored. */
  private static int writeUntilStored(PostgresTelemetryStore store, List<Sample> batch) throws Exception {
    int failures = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Future<Void> f = store.write(batch);
      try {
        f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return failures;
      } catch (java.util.concurrent.ExecutionException e) {
        failures++;
        if (System.nanoTime() > deadline) {
          throw new AssertionError("batch never stored", e.getCause());
        }
        Thread.sleep(100);
      }
    }
  }

  private long messages(Level level, String text) {
    return log.list.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text)).count();
  }

  @Test
  void writesFailWhilePostgresIsDownAndSucceedAgainWhenItReturnsLosingNothing() throws Exception {
    PostgresTelemetryStore store = db.started();
    List<Sample> before = batch(0, 1000);
    await(store.write(before));

    server.stop();
    List<Sample> during = batch(1000, 1000);
    Future<Void> failed = store.write(during);
    assertTrue(awaitFailure(failed), "a write while PostgreSQL is down fails");
    assertTrue(awaitFailure(store.ping()), "readiness is false while PostgreSQL is down");
    for (int i = 0; i < 5; i++) {
      awaitFailure(store.write(during)); // collector retries: logged once, not five times
    }

    Thread writer = new Thread(() -> {
      try {
        writeUntilStored(store, during);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    Thread.sleep(500);
    server.start();
    writer.join(TimeUnit.SECONDS.toMillis(60));
    assertFalse(writer.isAlive(), "the retried batch is stored once PostgreSQL is back");

    await(store.ping());
    await(store.write(batch(2000, 1000)));
    assertEquals(3000, db.count("SELECT count(*) FROM samples"), "nothing lost, nothing doubled");
    assertEquals(1, messages(Level.WARN, "unreachable"), log.list.toString());
    assertEquals(1, messages(Level.INFO, "reachable again"), log.list.toString());
  }

  @Test
  void startWaitsForPostgresAndCompletesWhenItComesUp() throws Exception {
    server.stop();
    PostgresTelemetryStore store = db.store(new JsonObject());
    Future<Void> started = store.start();
    Thread.sleep(1500); // several retries
    assertFalse(started.isComplete(), "start() keeps retrying while PostgreSQL is down");
    assertTrue(awaitFailure(store.ping()), "not ready before start completed");
    assertTrue(awaitFailure(store.write(batch(0, 10))), "writes fail before start completed");

    server.start();
    await(started, 40);
    await(store.ping());
    await(store.write(batch(0, 10)));
    assertEquals(10, db.count("SELECT count(*) FROM samples"));
    assertEquals(1, messages(Level.WARN, "unreachable"), log.list.toString());
    assertEquals(1, messages(Level.INFO, "reachable again"), log.list.toString());
  }

  /** Whether {@code f} fails (within 30 s). */
  private static boolean awaitFailure(Future<?> f) throws Exception {
    return f.map(v -> false).otherwise(true).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
