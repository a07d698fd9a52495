package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.TelemetryStoreContractTest;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on PostgreSQL with compaction forced: {@code after} is zero and every write
 * is followed by a compaction pass, so every query reads chunks (and, for writes into compacted
 * hours, chunks merged with late raw rows).
 */
class PostgresCompactedStoreIT extends TelemetryStoreContractTest {

  static final JsonObject COMPACT_AT_ONCE = new JsonObject()
      .put("compaction", new JsonObject().put("after", "0s").put("interval", "0s"));

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
    database = server.createDatabase("compacted");
    PostgresTelemetryStore s = new PostgresTelemetryStore(vertx, server.settings(database, COMPACT_AT_ONCE));
    await(s.start());
    return new Compacting(s);
  }

  @AfterEach
  void dropDatabase() {
    if (store != null) {
      await(store.close());
      store = null;
    }
    server.dropDatabase(database);
  }

  /** The store with a compaction pass after every write. */
  private record Compacting(PostgresTelemetryStore store) implements TelemetryStore {

    @Override
    public Future<Void> start() {
      return store.start();
    }

    @Override
    public Future<Void> write(List<Sample> samples) {
      return store.write(samples).compose(v -> store.compact()).mapEmpty();
    }

    @Override
    public Future<Void> deadLetter(List<DeadLetter> letters) {
      return store.deadLetter(letters);
    }

    @Override
    public Future<List<DeadLetter>> deadLetters(int limit) {
      return store.deadLetters(limit);
    }

    @Override
    public Future<List<GpuRecord>> gpus(String hostname) {
      return store.gpus(hostname);
    }

    @Override
    public Future<Optional<GpuRecord>> gpu(String uuid) {
      return store.gpu(uuid);
    }

    @Override
    public Future<List<HostRecord>> hosts() {
      return store.hosts();
    }

    @Override
    public Future<List<String>> metrics() {
      return store.metrics();
    }

    @Override
    public Future<SamplePage> samples(SampleQuery query) {
      return store.samples(query);
    }

    @Override
    public Future<List<Bucket>> buckets(BucketQuery query) {
      return store.buckets(query);
    }

    @Override
    public Future<List<Sample>> latest(String uuid) {
      return store.latest(uuid);
    }

    @Override
    public Future<List<Sample>> latestOf(String metric, String hostname) {
      return store.latestOf(metric, hostname);
    }

    @Override
    public Future<Void> ping() {
      return store.ping();
    }

    @Override
    public Future<Void> close() {
      return store.close();
    }
  }
}
