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
import org.gputelemetry.pipeline.model.Labels;
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
    assertEquals(List.of("1", "2", "3", "5", "6", "7", "8"), db.strings("SELECT version::text FROM schema_migrations ORDER BY version"));
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
    Labels xid = Labels.of("xid", "79", "err_msg", "GPU has fallen off the bus");
    await(writer.write(List.of(new Sample(GPU, "b", t, 2, "trainer", "job-1", "ml"),
        new Sample(GPU, "a", t, 1, null, "job-1", null), new Sample(GPU, "a", t, 79, null, null, null, xid))));
    PostgresTelemetryStore reader = db.started();
    List<Sample> got = await(reader.samples(new SampleQuery(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 10,
        null))).samples();
    assertEquals(List.of(new Sample(GPU, "a", t, 1, null, "job-1", null), new Sample(GPU, "a", t, 79, null, null, null, xid),
        new Sample(GPU, "b", t, 2, "trainer", "job-1", "ml")), got);
    PostgresTelemetryStore latest = db.started();
    assertEquals(List.of(xid.canonical(), ""), await(latest.latestOf("a", null)).stream()
        .map(x -> x.labels().canonical()).sorted(java.util.Comparator.reverseOrder()).toList());
  }

  @Test
  void gpuAttributesAreWrittenOnceAndOnlyAChangedAttributeRewritesTheCatalogueRow() {
    PostgresTelemetryStore store = db.started();
    long t = Timestamps.nowMicros();
    Gpu gpu = new Gpu(GPU.uuid(), 0, "nvidia0", GPU.modelName(), "host-a", "00000000:3B:00.0", "535.129.03", null, null);
    await(store.write(List.of(new Sample(gpu, "m", t, 1, null, null, null))));
    String xmin = db.strings("SELECT xmin::text FROM gpus").get(0);
    for (int i = 1; i <= 5; i++) {
      await(store.write(List.of(new Sample(gpu, "m", t + i, 1, null, null, null))));
    }
    // samples that do not know the attributes (a CSV row) change nothing either
    await(store.write(List.of(new Sample(new Gpu(GPU.uuid(), 0, "nvidia0", GPU.modelName(), "host-a"), "m", t + 6, 1,
        null, null, null))));
    assertEquals(xmin, db.strings("SELECT xmin::text FROM gpus").get(0), "no batch rewrote the row");
    Gpu upgraded = new Gpu(GPU.uuid(), 0, "nvidia0", GPU.modelName(), "host-a", null, "550.54.15", null, null);
    await(store.write(List.of(new Sample(upgraded, "m", t + 7, 1, null, null, null))));
    assertEquals(List.of("00000000:3B:00.0|550.54.15"), db.strings("SELECT pci_bus_id || '|' || driver_version FROM gpus"));
    // another process, whose cache knows nothing, never writes a null over a known value
    PostgresTelemetryStore other = db.started();
    await(other.write(List.of(new Sample(GPU, "m", t + 8, 1, null, null, null))));
    assertEquals(List.of("00000000:3B:00.0|550.54.15"), db.strings("SELECT pci_bus_id || '|' || driver_version FROM gpus"));
  }

  /**
   * A database migrated up to V5 by an earlier release, holding samples, a chunk and a GPU, is
   * carried forward by V6: its rows come back (with no labels and no GPU attributes), and a sample
   * that differs from an old one only in its labels is a new series beside it.
   */
  @Test
  void aV5DatabaseWithRowsIsCarriedForwardByV6() {
    db.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL,"
        + " applied_at timestamptz NOT NULL DEFAULT now())");
    for (Migrations.Migration m : Migrations.ALL) {
      if (m.version() <= 5) {
        db.execute(Migrations.load(m.resource()));
        db.execute("INSERT INTO schema_migrations (version, description) VALUES (" + m.version() + ", '"
            + m.description() + "')");
      }
    }
    long day = PartitionMaintainer.day(Timestamps.parseMicros("2025-07-18T00:00:00Z"));
    db.execute("CREATE TABLE " + PartitionMaintainer.name(day) + " PARTITION OF samples FOR VALUES FROM"
        + " ('2025-07-18 00:00:00+00') TO ('2025-07-19 00:00:00+00')");
    db.execute("CREATE TABLE " + PartitionMaintainer.chunkName(day) + " PARTITION OF sample_chunks FOR VALUES FROM"
        + " ('2025-07-18 00:00:00+00') TO ('2025-07-19 00:00:00+00')");
    db.execute("INSERT INTO gpus (uuid, gpu_index, device, model_name, hostname, first_seen) VALUES"
        + " ('GPU-old', 0, 'nvidia0', 'NVIDIA H100 80GB HBM3', 'host-a', '2025-07-18 10:00:00+00')");
    db.execute("INSERT INTO metrics (name) VALUES ('DCGM_FI_DEV_XID_ERRORS'), ('temp')");
    db.execute("INSERT INTO samples (ts, value, gpu_id, metric_id) VALUES ('2025-07-18 12:00:00+00', 13, 1, 1),"
        + " ('2025-07-18 12:00:00+00', 40, 1, 2)");
    long chunkTs = Timestamps.parseMicros("2025-07-18T10:00:05Z");
    String data = java.util.HexFormat.of().formatHex(org.gputelemetry.pipeline.store.chunk.ChunkCodec.encode(
        new long[] {chunkTs}, new double[] {39}, 1));
    db.execute("INSERT INTO sample_chunks (chunk_start, chunk_end, last_ts, min, max, sum, first, last, gpu_id, count,"
        + " metric_id, data) VALUES ('2025-07-18 10:00:00+00', '2025-07-18 11:00:00+00', '2025-07-18 10:00:05+00',"
        + " 39, 39, 39, 39, 39, 1, 1, 2, decode('" + data + "', 'hex'))");

    PostgresTelemetryStore store = db.started(new JsonObject().put("retention", "0d"));

    assertEquals(List.of("1", "2", "3", "5", "6", "7", "8"), db.strings("SELECT version::text FROM schema_migrations ORDER BY version"));
    assertEquals(List.of("gpu_id", "ts", "metric_id", "labels_id"), db.strings("SELECT a.attname FROM pg_index i"
        + " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true"
        + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
        + " WHERE i.indrelid = '" + PartitionMaintainer.name(day) + "'::regclass AND i.indisprimary ORDER BY k.n"));
    long noon = Timestamps.parseMicros("2025-07-18T12:00:00Z");
    GpuRecord old = await(store.gpu("GPU-old")).orElseThrow();
    assertEquals(new Gpu("GPU-old", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a"), old.gpu());
    assertEquals(noon, old.lastSeenMicros());
    Gpu gpu = old.gpu();
    assertEquals(List.of(new Sample(gpu, "temp", chunkTs, 39, null, null, null),
            new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", noon, 13, null, null, null),
            new Sample(gpu, "temp", noon, 40, null, null, null)),
        await(store.samples(new SampleQuery("GPU-old", Long.MIN_VALUE, Long.MAX_VALUE, null, 10, null))).samples());
    assertEquals(2, await(store.latest("GPU-old")).size());

    Labels xid = Labels.of("xid", "13");
    await(store.write(List.of(new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", noon, 1, null, null, null, xid))));
    assertEquals(3, db.count("SELECT count(*) FROM samples"));
    assertEquals(List.of("", xid.canonical()), await(store.latestOf("DCGM_FI_DEV_XID_ERRORS", null)).stream()
        .map(s -> s.labels().canonical()).toList());
    // the new writer's metrics and GPUs get ids after the old ones
    await(store.write(List.of(new Sample(new Gpu("GPU-new", 1, "nvidia1", "NVIDIA H100 80GB HBM3", "host-a"), "power",
        noon, 300, null, null, null))));
    assertEquals(2, await(store.gpus(null)).size());
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
