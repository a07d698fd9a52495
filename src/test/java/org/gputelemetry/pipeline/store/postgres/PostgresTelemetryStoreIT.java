package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.TelemetryStoreContractTest;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against a real PostgreSQL; every test gets a database of its own. */
class PostgresTelemetryStoreIT extends TelemetryStoreContractTest {

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
    database = server.createDatabase("contract");
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
