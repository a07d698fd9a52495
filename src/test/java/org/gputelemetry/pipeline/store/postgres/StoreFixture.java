package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;

/**
 * A test's database on the shared embedded server, the stores opened on it, and plain-JDBC
 * checks of what PostgreSQL holds. {@link #close()} closes the stores and drops the database.
 */
final class StoreFixture implements AutoCloseable {

  final Vertx vertx;
  final EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
  final String database;
  private final List<PostgresTelemetryStore> stores = new ArrayList<>();

  StoreFixture(Vertx vertx, String name) {
    this.vertx = vertx;
    this.database = server.createDatabase(name);
  }

  /** A store on this database, not started; {@code extra} overrides store settings. */
  PostgresTelemetryStore store(JsonObject extra) {
    PostgresTelemetryStore s = new PostgresTelemetryStore(vertx, server.settings(database, extra));
    stores.add(s);
    return s;
  }

  PostgresTelemetryStore started() {
    return started(new JsonObject());
  }

  PostgresTelemetryStore started(JsonObject extra) {
    PostgresTelemetryStore s = store(extra);
    await(s.start());
    return s;
  }

  long count(String sql) {
    try (Connection c = server.connect(database); Statement st = c.createStatement();
         ResultSet r = st.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  List<String> strings(String sql) {
    List<String> out = new ArrayList<>();
    try (Connection c = server.connect(database); Statement st = c.createStatement();
         ResultSet r = st.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
    return out;
  }

  void execute(String sql) {
    server.execute(database, sql);
  }

  /** Names of the partitions of samples, sorted, from the catalog ({@code pg_inherits}). */
  TreeSet<String> partitions() {
    return new TreeSet<>(strings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent = 'samples'::regclass"));
  }

  @Override
  public void close() {
    for (PostgresTelemetryStore s : stores) {
      await(s.close());
    }
    if (server.isRunning()) {
      server.dropDatabase(database);
    }
  }
}
