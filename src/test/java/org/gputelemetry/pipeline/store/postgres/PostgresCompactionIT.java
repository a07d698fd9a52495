package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Compaction on a real PostgreSQL: exact counts across late writes, replays and concurrent compactors. */
class PostgresCompactionIT {

  private static final Gpu GPU = new Gpu("GPU-compact", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");
  private static final long T0 = Timestamps.parseMicros("2025-07-18T20:00:00Z");
  private static final long HOUR = 3_600_000_000L;
  private static Vertx vertx;
  private StoreFixture db;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void open() {
    db = new StoreFixture(vertx, "compaction");
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** Two metrics, one sample every 10 s for three hours: 2 x 1080. */
  private static List<Sample> fleet() {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < 1080; i++) {
      out.add(new Sample(GPU, "util", T0 + i * 10_000_000L, i % 100, null, null, null));
      out.add(new Sample(GPU, "temp", T0 + i * 10_000_000L, 40 + i % 7, null, null, null));
    }
    return out;
  }

  private static long count(PostgresTelemetryStore store) {
    List<Bucket> b = await(store.buckets(new BucketQuery(GPU.uuid(), T0 - HOUR, T0 + 10 * HOUR, null, 86_400_000_000L,
        Aggregation.COUNT)));
    return b.stream().mapToLong(Bucket::count).sum();
  }

  private static List<Sample> all(PostgresTelemetryStore store, String metric) {
    return await(store.samples(new SampleQuery(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, metric, 10_000, null)))
        .samples();
  }

  @Test
  void latestOfProbesChunksOnlyForSeriesWithoutARawRowNewerThanTheWatermark() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    Gpu active = new Gpu("GPU-compact-active", 1, "nvidia1", "NVIDIA H100 80GB HBM3", "host-a");
    List<Sample> history = new ArrayList<>();
    for (int i = 0; i < 1080; i++) {
      history.add(new Sample(GPU, "util", T0 + i * 10_000_000L, i % 100, null, null, null));
      history.add(new Sample(active, "util", T0 + i * 10_000_000L, 50, null, null, null));
    }
    await(store.write(history));
    await(store.compact());
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(1, db.count("SELECT count(*) FROM compaction_watermark"), "the pass wrote the watermark");
    assertEquals(0, db.count("SELECT count(*) FROM sample_chunks WHERE chunk_end > (SELECT closed_end FROM compaction_watermark)"),
        "no chunk ends after it");

    // GPU: only a late raw row inside its first compacted hour, older than its chunks' newest point;
    // active: a raw row after the watermark (a GPU still reporting)
    long now = Timestamps.nowMicros();
    await(store.write(List.of(new Sample(GPU, "util", T0 + 5_000_000L, -1, null, null, null),
        new Sample(active, "util", now, 77, null, null, null))));
    java.util.Map<String, Sample> latest = new java.util.HashMap<>();
    await(store.latestOf("util", null)).forEach(x -> latest.put(x.gpu().uuid(), x));
    assertEquals(T0 + 1079 * 10_000_000L, latest.get(GPU.uuid()).timestampMicros(),
        "a late row older than the chunks does not hide their newest point");
    assertEquals(79.0, latest.get(GPU.uuid()).value());
    assertEquals(now, latest.get(active.uuid()).timestampMicros());
    assertEquals(77.0, latest.get(active.uuid()).value());
  }

  @Test
  void compactionMovesEveryRowOnceAndLateAndReplayedSamplesKeepCountsExact() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    List<Sample> written = fleet();
    await(store.write(written));
    Compactor.Outcome o = await(store.compact());
    assertEquals(2160, o.samples());
    assertEquals(6, o.ranges(), "3 hours x 2 metrics");
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(6, db.count("SELECT count(*) FROM sample_chunks"));
    assertEquals(2160, db.count("SELECT sum(count) FROM sample_chunks"));
    assertEquals(2160, count(store));
    assertEquals(written.stream().filter(s -> s.metric().equals("util")).map(Sample::value).toList(),
        all(store, "util").stream().map(Sample::value).toList());

    // a replay of a whole compacted hour with other values, and a late sample in it
    List<Sample> replay = new ArrayList<>();
    for (int i = 0; i < 360; i++) {
      replay.add(new Sample(GPU, "util", T0 + i * 10_000_000L, 1000 + i, null, null, null));
    }
    replay.add(new Sample(GPU, "util", T0 + 5_000_000L, -1, null, null, null));
    await(store.write(replay));
    assertEquals(2161, count(store), "before the merge: raw rows shadow the chunk's points, no double");
    List<Sample> util = all(store, "util");
    assertEquals(1081, util.size());
    assertEquals(1000.0, util.get(0).value(), "the raw value wins");
    assertEquals(-1.0, util.get(1).value());
    assertEquals(T0 + 5_000_000L, util.get(1).timestampMicros());
    List<Bucket> sums = await(store.buckets(new BucketQuery(GPU.uuid(), T0, T0 + HOUR - 1, "util", HOUR,
        Aggregation.SUM)));
    double expected = -1;
    for (int i = 0; i < 360; i++) {
      expected += 1000 + i;
    }
    assertEquals(expected, sums.get(0).value(), 1e-6);

    Compactor.Outcome merged = await(store.compact());
    assertEquals(361, merged.samples());
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(6, db.count("SELECT count(*) FROM sample_chunks"));
    assertEquals(2161, db.count("SELECT sum(count) FROM sample_chunks"));
    assertEquals(2161, count(store));
    assertEquals(util.stream().map(Sample::value).toList(), all(store, "util").stream().map(Sample::value).toList());
    assertEquals(expected, await(store.buckets(new BucketQuery(GPU.uuid(), T0, T0 + HOUR - 1, "util", HOUR,
        Aggregation.SUM))).get(0).value(), 1e-6);

    // a second pass finds nothing; the latest sample comes from the chunks
    assertEquals(0, await(store.compact()).samples());
    List<Sample> latest = await(store.latest(GPU.uuid()));
    assertEquals(2, latest.size());
    latest.forEach(s -> assertEquals(T0 + 1079 * 10_000_000L, s.timestampMicros()));
    assertEquals(T0 + 1079 * 10_000_000L, await(store.gpu(GPU.uuid())).orElseThrow().lastSeenMicros());
  }

  @Test
  void labelSeriesOfOneMetricCompactIntoChunksOfTheirOwnAndLateSamplesMergeIntoTheRightOne() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    Labels xid13 = Labels.of("xid", "13");
    Labels xid31 = Labels.of("xid", "31");
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      written.add(new Sample(GPU, "xid", T0 + i * 60_000_000L, 13, null, null, null, xid13));
      written.add(new Sample(GPU, "xid", T0 + i * 60_000_000L, 31, null, null, null, xid31));
    }
    await(store.write(written));
    assertEquals(20, await(store.compact()).samples());
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(List.of("1:10", "2:10"), db.strings("SELECT c.labels_id || ':' || c.count FROM sample_chunks c"
        + " ORDER BY c.labels_id"));
    assertEquals(List.of("xid=\"13\"", "xid=\"31\""), db.strings("SELECT l.canonical FROM label_sets l"
        + " JOIN sample_chunks c ON c.labels_id = l.id ORDER BY l.id"));
    // a late sample of one label series, at an instant the other series also has
    await(store.write(List.of(new Sample(GPU, "xid", T0, 131, null, null, null, xid13))));
    List<Sample> before = all(store, "xid");
    assertEquals(20, before.size(), "the raw row shadows only its own series' point");
    assertEquals(List.of(131.0, 31.0), before.subList(0, 2).stream().map(Sample::value).toList());
    assertEquals(List.of(xid13, xid31), before.subList(0, 2).stream().map(Sample::labels).toList());
    assertEquals(1, await(store.compact()).samples());
    assertEquals(List.of("1:10", "2:10"), db.strings("SELECT c.labels_id || ':' || c.count FROM sample_chunks c"
        + " ORDER BY c.labels_id"));
    assertEquals(before, all(store, "xid"));
    List<Sample> latest = await(store.latest(GPU.uuid()));
    assertEquals(List.of(xid13, xid31), latest.stream().map(Sample::labels).toList());
    assertEquals(List.of(13.0, 31.0), latest.stream().map(Sample::value).toList());
    assertEquals(20, count(store));
  }

  @Test
  void chunkPartitionsAreCreatedAheadAndDroppedByRetentionWithTheSamplesOnes() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE.copy().put("retention", "30d"));
    String chunkParts = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'sample_chunks'::regclass";
    assertEquals(PartitionMaintainer.DAYS_AHEAD + 1, db.count(chunkParts));
    await(store.write(fleet()));
    await(store.compact());
    assertEquals(PartitionMaintainer.DAYS_AHEAD + 2, db.count(chunkParts), "the 2025 day's chunk partition");
    assertEquals(6, db.count("SELECT count(*) FROM " + PartitionMaintainer.chunkName(PartitionMaintainer.day(T0))));
    PartitionMaintainer.Outcome o = await(store.maintain());
    assertTrue(o.dropped().contains(PartitionMaintainer.name(PartitionMaintainer.day(T0))), o.toString());
    assertEquals(PartitionMaintainer.DAYS_AHEAD + 1, db.count(chunkParts), "dropped with the samples' one");
    assertEquals(0, count(store));
  }

  @Test
  void twoCompactorsAtOnceDoNotDouble() {
    PostgresTelemetryStore a = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    PostgresTelemetryStore b = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    await(a.write(fleet()));
    List<Compactor.Outcome> both = await(Future.all(a.compact(), b.compact())).list();
    long moved = both.stream().mapToLong(Compactor.Outcome::samples).sum();
    assertEquals(2160, moved, "every raw row moved exactly once: " + both);
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(2160, db.count("SELECT sum(count) FROM sample_chunks"));
    assertEquals(2160, count(a));
    assertEquals(2160, count(b));
    // the one that was busy catches nothing up later either
    assertTrue(await(b.compact()).samples() == 0 && await(a.compact()).samples() == 0);
  }

  /** Bucket answers of {@code store} for steps and windows the slots serve (multiples of 5 min) and do not. */
  private static List<List<Bucket>> answers(PostgresTelemetryStore store, String uuid) {
    List<List<Bucket>> out = new ArrayList<>();
    long[] steps = {300_000_000L, 900_000_000L, HOUR, 86_400_000_000L, 600_000_000L, 7_000_000L};
    long[][] windows = {{T0, T0 + 2 * HOUR}, {T0 + 130_000_000L, T0 + 100 * 60_000_000L}};
    for (long step : steps) {
      for (long[] w : windows) {
        for (Aggregation agg : Aggregation.values()) {
          out.add(await(store.buckets(new BucketQuery(uuid, w[0], w[1], null, step, agg))));
          out.add(await(store.buckets(new BucketQuery(uuid, w[0], w[1], "util", step, agg))));
        }
      }
    }
    return out;
  }

  private static void assertSameBuckets(List<List<Bucket>> expected, List<List<Bucket>> actual, String when) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      List<Bucket> e = expected.get(i);
      List<Bucket> a = actual.get(i);
      assertEquals(e.size(), a.size(), when + ", answer " + i);
      for (int j = 0; j < e.size(); j++) {
        assertEquals(e.get(j).metric(), a.get(j).metric(), when);
        assertEquals(e.get(j).startMicros(), a.get(j).startMicros(), when);
        assertEquals(e.get(j).count(), a.get(j).count(), when + ", answer " + i + " bucket " + j);
        assertEquals(e.get(j).value(), a.get(j).value(), 1e-6, when + ", answer " + i + " bucket " + j);
      }
    }
  }

  /**
   * Buckets of whole 5-minute slots come from the chunks' sub-aggregates (V7), the others from
   * decoding, and both give the raw rows' answer, across two label sets of one metric (whose slots
   * overlap in time: "last" is the newest of both). Chunks written before V7 (no sub-aggregates)
   * and chunks too sparse to keep them are decoded and answer the same.
   */
  @Test
  void bucketsFromChunkSubAggregatesMatchTheRawAnswerAndChunksWithoutThemAreDecoded() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    List<Sample> written = new ArrayList<>();
    Labels a = Labels.of("err_code", "1");
    Labels b = Labels.of("err_code", "2");
    for (long t = T0 + 3_000_000L; t < T0 + 2 * HOUR; t += 2_000_000L) {
      long i = (t - T0) / 2_000_000L;
      written.add(new Sample(GPU, "util", t, i % 97, null, null, null, a));
      // a second apart from a's, so that "last" of the metric never ties between the two
      written.add(new Sample(GPU, "util", t + 1_000_000L, (i * 31) % 89 - 20, null, null, null, b));
      written.add(new Sample(GPU, "temp", t, 40 + i % 11 + 0.25, null, null, null));
    }
    await(store.write(written));
    List<List<Bucket>> raw = answers(store, GPU.uuid());
    assertEquals(written.size(), await(store.compact()).samples());
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(6, db.count("SELECT count(*) FROM sample_chunks WHERE length(sub_aggs) = 12 * " + ChunkRow.SLOT_BYTES),
        "3 series x 2 whole hours of 12 slots");
    assertEquals(db.count("SELECT count(*) FROM sample_chunks WHERE count < " + ChunkRow.MIN_FOR_SLOTS),
        db.count("SELECT count(*) FROM sample_chunks WHERE sub_aggs IS NULL"), "sparse chunks keep no slots");
    assertSameBuckets(raw, answers(store, GPU.uuid()), "from sub-aggregates");

    db.execute("UPDATE sample_chunks SET sub_aggs = NULL");
    assertSameBuckets(raw, answers(store, GPU.uuid()), "chunks without sub-aggregates, decoded");
  }

  /**
   * A range whose raw rows carry two placements stays raw, pass after pass, while the other ranges
   * of its slice are compacted; every sample reads back once.
   */
  @Test
  void aRangeWithTwoPlacementsStaysRawWhileTheRestOfItsSliceIsCompacted() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 360; i++) {
      String pod = i < 180 ? "pod-a" : "pod-b";
      written.add(new Sample(GPU, "util", T0 + i * 10_000_000L, i, "main", pod, "ml"));
      written.add(new Sample(GPU, "temp", T0 + i * 10_000_000L, 40, "main", "pod-a", "ml"));
    }
    await(store.write(written));
    Compactor.Outcome o = await(store.compact());
    assertEquals(360, o.samples(), "temp's hour only");
    assertEquals(1, o.ranges());
    assertEquals(360, db.count("SELECT count(*) FROM samples"));
    assertEquals(0, await(store.compact()).samples());
    assertEquals(360, db.count("SELECT count(*) FROM samples"));
    assertEquals(written.stream().filter(s -> s.metric().equals("util")).map(Sample::pod).toList(),
        all(store, "util").stream().map(Sample::pod).toList());
    assertEquals(720, count(store));
  }

  /** More GPUs than one slice holds: every GPU's range is compacted in one pass, each row once. */
  @Test
  void aPassCoversEveryGpuAcrossSlices() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    int gpus = Compactor.FIRST_GPUS * 5 + 3;
    List<Sample> written = new ArrayList<>();
    for (int g = 0; g < gpus; g++) {
      Gpu gpu = new Gpu("GPU-slice-" + g, g % 8, "nvidia" + g % 8, "NVIDIA H100 80GB HBM3", "host-" + g / 8);
      for (int i = 0; i < 12; i++) {
        written.add(new Sample(gpu, "util", T0 + i * 300_000_000L + g, g + i, null, null, null));
      }
    }
    await(store.write(written));
    Compactor.Outcome o = await(store.compact());
    assertEquals(written.size(), o.samples());
    assertEquals(gpus, o.ranges());
    assertEquals(0, db.count("SELECT count(*) FROM samples"));
    assertEquals(gpus, db.count("SELECT count(*) FROM sample_chunks"));
    assertEquals(12, await(store.samples(new SampleQuery("GPU-slice-" + (gpus - 1), Long.MIN_VALUE, Long.MAX_VALUE,
        "util", 100, null))).samples().size());
  }

  /** Rows stored out of time order (a later batch with earlier samples) make a chunk in time order. */
  @Test
  void rowsStoredOutOfTimeOrderAreCompactedInTimeOrder() {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    List<Sample> late = new ArrayList<>();
    List<Sample> early = new ArrayList<>();
    for (int i = 0; i < 360; i++) {
      (i < 180 ? early : late).add(new Sample(GPU, "util", T0 + i * 10_000_000L, i, null, null, null));
    }
    await(store.write(late));
    await(store.write(early));
    assertEquals(360, await(store.compact()).samples());
    assertEquals(1, db.count("SELECT count(*) FROM sample_chunks"));
    List<Sample> read = all(store, "util");
    assertEquals(360, read.size());
    for (int i = 0; i < 360; i++) {
      assertEquals(T0 + i * 10_000_000L, read.get(i).timestampMicros());
      assertEquals(i, read.get(i).value());
    }
    assertEquals(T0 + 359 * 10_000_000L, await(store.latest(GPU.uuid())).get(0).timestampMicros());
  }
}
