package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store does beyond the common contract: idempotent replays, partitions, retention, migrations. */
class PostgresStoreBehaviourIT {

  private static final Gpu GPU = new Gpu("GPU-behaviour", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");

  private static Vertx vertx;
  private StoreFixture db;

  @BeforeAll
  static void startVertx() {
    EmbeddedPostgresServer.shared();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void freshDatabase() {
    db = new StoreFixture(vertx, "behaviour");
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  private static void writeInBatches(PostgresTelemetryStore store, List<Sample> samples, int batch) {
    for (int i = 0; i < samples.size(); i += batch) {
      await(store.write(samples.subList(i, Math.min(samples.size(), i + batch))));
    }
  }

  private static long today() {
    return PartitionMaintainer.day(Timestamps.nowMicros());
  }

  @Test
  void replayingTheSampleFileInSourceModeDoesNotGrowTheTable() {
    PostgresTelemetryStore store = db.started();
    List<Sample> samples = DcgmSampleFile.samples();
    writeInBatches(store, samples, 500);
    assertEquals(DcgmSampleFile.ROWS, db.count("SELECT count(*) FROM samples"));
    writeInBatches(store, samples, 500);
    writeInBatches(store, samples, 700); // batches cut elsewhere: still the same rows
    assertEquals(DcgmSampleFile.ROWS, db.count("SELECT count(*) FROM samples"));
    assertEquals(DcgmSampleFile.GPUS, await(store.gpus(null)).size());
    assertEquals(10, await(store.metrics()).size());
  }

  @Test
  void aReplayWithNewValuesUpdatesInPlaceAndTheLaterValueWins() {
    PostgresTelemetryStore store = db.started();
    List<Sample> samples = DcgmSampleFile.samples();
    await(store.write(samples));
    List<Sample> changed = new ArrayList<>();
    for (Sample s : samples.subList(0, 100)) {
      changed.add(new Sample(s.gpu(), s.metric(), s.timestampMicros(), s.value() + 1000, "c", "p", "ns"));
    }
    await(store.write(changed));
    assertEquals(DcgmSampleFile.ROWS, db.count("SELECT count(*) FROM samples"));
    assertEquals(100, db.count("SELECT count(*) FROM samples WHERE value >= 1000 AND placement_id IS NOT NULL"));
  }

  @Test
  void partitionsForTodayAndTheNextDaysExistAfterStart() {
    db.started();
    for (long d = today(); d <= today() + PartitionMaintainer.DAYS_AHEAD; d++) {
      assertTrue(db.partitions().contains(PartitionMaintainer.name(d)), PartitionMaintainer.name(d));
    }
  }

  @Test
  void writingLastYearsDataCreatesItsPartitionOnDemand() {
    PostgresTelemetryStore store = db.started();
    assertFalse(db.partitions().contains("samples_p20250718"));
    await(store.write(DcgmSampleFile.samples()));
    assertTrue(db.partitions().contains("samples_p20250718"));
    assertEquals(DcgmSampleFile.ROWS, db.count("SELECT count(*) FROM samples_p20250718"));
  }

  @Test
  void aPartitionDroppedBehindTheStoresBackIsCreatedAgainOnTheNextWrite() {
    PostgresTelemetryStore store = db.started();
    long now = Timestamps.nowMicros();
    await(store.write(List.of(new Sample(GPU, "m", now, 1, null, null, null))));
    db.execute("DROP TABLE " + PartitionMaintainer.name(today()));
    await(store.write(List.of(new Sample(GPU, "m", now + 1, 2, null, null, null))));
    assertEquals(1, db.count("SELECT count(*) FROM samples"));
  }

  @Test
  void retentionDropsWholePartitionsPastRetentionAndDeletesNoRow() {
    PostgresTelemetryStore store = db.started(new JsonObject().put("retention", "1d"));
    Instant now = Instant.now();
    long threeDaysAgo = Timestamps.toMicros(now.minus(3, ChronoUnit.DAYS));
    long nowMicros = Timestamps.toMicros(now);
    await(store.write(DcgmSampleFile.samples()));
    await(store.write(List.of(new Sample(GPU, "m", threeDaysAgo, 1, null, null, null),
        new Sample(GPU, "m", nowMicros, 2, null, null, null))));
    String old = PartitionMaintainer.name(PartitionMaintainer.day(threeDaysAgo));
    assertTrue(db.partitions().containsAll(List.of("samples_p20250718", old)));

    PartitionMaintainer.Outcome outcome = await(store.maintain());

    assertTrue(outcome.dropped().containsAll(List.of("samples_p20250718", old)), outcome.toString());
    assertFalse(db.partitions().contains("samples_p20250718"));
    assertFalse(db.partitions().contains(old));
    assertTrue(db.partitions().contains(PartitionMaintainer.name(today())));
    assertEquals(1, db.count("SELECT count(*) FROM samples"));
    // Whole tables went away; no row was deleted from any table that remains.
    assertEquals(0, db.count("SELECT coalesce(sum(n_tup_del), 0) FROM pg_stat_user_tables"));
    GpuRecord r = await(store.gpu(GPU.uuid())).orElseThrow();
    assertEquals(nowMicros, r.lastSeenMicros());
    // Writing an expired day again recreates its partition (until the next maintenance pass).
    await(store.write(List.of(new Sample(GPU, "m", threeDaysAgo, 3, null, null, null))));
    assertEquals(2, db.count("SELECT count(*) FROM samples"));
  }

  @Test
  void zeroRetentionKeepsEverything() {
    PostgresTelemetryStore store = db.started(new JsonObject().put("retention", "0d"));
    await(store.write(DcgmSampleFile.samples()));
    assertTrue(await(store.maintain()).dropped().isEmpty());
    assertEquals(DcgmSampleFile.ROWS, db.count("SELECT count(*) FROM samples"));
  }

  @Test
  void migrationsApplyOnceWhetherStoresStartConcurrentlyOrAgain() {
    List<PostgresTelemetryStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stores.add(db.store(new JsonObject()));
    }
    await(Future.all(stores.stream().map(PostgresTelemetryStore::start).toList()), 60);
    await(db.store(new JsonObject()).start());
    assertEquals(List.of("1", "2", "3", "5"), db.strings("SELECT version::text FROM schema_migrations ORDER BY version"));
    assertEquals(Migrations.ALL.size(), db.count("SELECT count(*) FROM schema_migrations"));
    assertEquals(PartitionMaintainer.DAYS_AHEAD + 1, db.partitions().size());
  }

  @Test
  void catalogueFollowsIdentityChangesAndKeepsTheOldestSampleEverWritten() {
    PostgresTelemetryStore store = db.started();
    long t = Timestamps.nowMicros();
    await(store.write(List.of(new Sample(GPU, "m", t, 1, null, null, null))));
    Gpu moved = new Gpu(GPU.uuid(), 3, "nvidia3", GPU.modelName(), "host-z");
    await(store.write(List.of(new Sample(moved, "m", t + 10, 1, null, null, null))));
    await(store.write(List.of(new Sample(moved, "m", t - 10, 1, null, null, null))));
    GpuRecord r = await(store.gpu(GPU.uuid())).orElseThrow();
    assertEquals(moved, r.gpu());
    assertEquals(t - 10, r.firstSeenMicros());
    assertEquals(t + 10, r.lastSeenMicros());
    // A second process (fresh caches) sees the same.
    PostgresTelemetryStore other = db.started();
    assertEquals(r, await(other.gpu(GPU.uuid())).orElseThrow());
    assertEquals(List.of("m"), await(other.metrics()));
  }

  @Test
  void samplesWrittenByOneProcessAreReadByAnotherWithNamesAndPlacements() {
    long t = Timestamps.nowMicros(); // recent: the second store's start applies retention (7 days)
    PostgresTelemetryStore writer = db.started();
    await(writer.write(List.of(new Sample(GPU, "b", t, 2, "trainer", "job-1", "ml"),
        new Sample(GPU, "a", t, 1, null, "job-1", null))));
    PostgresTelemetryStore reader = db.started();
    List<Sample> got = await(reader.samples(new SampleQuery(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 10,
        null))).samples();
    assertEquals(List.of(new Sample(GPU, "a", t, 1, null, "job-1", null),
        new Sample(GPU, "b", t, 2, "trainer", "job-1", "ml")), got);
  }

  @Test
  void verifyFullWithoutARootCertificateIsRefusedNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> db.store(new JsonObject().put("sslMode", "verify-full")));
    assertTrue(e.getMessage().contains("store.sslRootCert"), e.getMessage());
  }

  @Test
  void operationsFailFastBeforeStart() {
    PostgresTelemetryStore store = db.store(new JsonObject());
    assertTrue(store.ping().failed());
    assertTrue(store.write(List.of(new Sample(GPU, "m", 1, 1, null, null, null))).failed());
  }
}
