package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.FleetBucketsContractTest;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** fleetBuckets against a real PostgreSQL (the default composition over its queries); a database per test. */
class PostgresFleetBucketsIT extends FleetBucketsContractTest {

  private static Vertx vertx;
  private static EmbeddedPostgresServer server;
  private String database;

  @BeforeAll
  static void startServer() {
    server = EmbeddedPostgresServer.shared();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    await(vertx.close());
  }

  @Override
  protected TelemetryStore createStore() {
    database = server.createDatabase("fleet");
    PostgresTelemetryStore s = new PostgresTelemetryStore(vertx, server.settings(database));
    await(s.start());
    return s;
  }

  @AfterEach
  void dropDatabase() {
    if (store != null) {
      await(store.close());
      store = null;
    }
    server.dropDatabase(database);
  }
}
