package org.gputelemetry.pipeline.store;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link TelemetryStore} keeps. Each implementation extends this class and
 * supplies a fresh, empty store per test.
 */
public abstract class TelemetryStoreContractTest {

  protected static final long T0 = Timestamps.parseMicros("2025-07-18T20:42:34Z");
  protected static final Gpu GPU_A = new Gpu("GPU-aaaa", 1, "nvidia1", "NVIDIA H100 80GB HBM3", "host-b");
  protected static final Gpu GPU_B = new Gpu("GPU-bbbb", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-b");
  protected static final Gpu GPU_C = new Gpu("GPU-cccc", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");
  protected static final Gpu MIG = new Gpu("MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0", 0, "nvidia0",
      "NVIDIA A100", "host-a");

  protected TelemetryStore store;

  /** A started, empty store. */
  protected abstract TelemetryStore createStore() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    store = createStore();
  }

  @AfterEach
  void tearDown() {
    if (store != null) {
      await(store.close());
    }
  }

  protected static Sample sample(Gpu gpu, String metric, long micros, double value) {
    return new Sample(gpu, metric, micros, value, null, null, null);
  }

  protected static long sec(int n) {
    return T0 + n * 1_000_000L;
  }

  protected SamplePage page(String uuid, long start, long end, String metric, int limit, Cursor cursor) {
    return await(store.samples(new SampleQuery(uuid, start, end, metric, limit, cursor)));
  }

  protected List<Sample> all(String uuid) {
    return page(uuid, Long.MIN_VALUE, Long.MAX_VALUE, null, SampleQuery.MAX_LIMIT, null).samples();
  }

  @Test
  void samplesComeBackOrderedByTimeThenMetric() {
    await(store.write(List.of(
        sample(GPU_A, "DCGM_FI_DEV_POWER_USAGE", sec(2), 300.5),
        sample(GPU_A, "DCGM_FI_DEV_GPU_UTIL", sec(1), 90),
        sample(GPU_A, "DCGM_FI_DEV_GPU_TEMP", sec(2), 61),
        sample(GPU_A, "DCGM_FI_DEV_GPU_UTIL", sec(2), 95))));
    List<Sample> got = all(GPU_A.uuid());
    assertEquals(List.of("1/DCGM_FI_DEV_GPU_UTIL", "2/DCGM_FI_DEV_GPU_TEMP", "2/DCGM_FI_DEV_GPU_UTIL",
        "2/DCGM_FI_DEV_POWER_USAGE"), got.stream().map(s -> (s.timestampMicros() - T0) / 1_000_000 + "/" + s.metric()).toList());
    assertEquals(300.5, got.get(3).value());
    assertEquals(GPU_A.hostname(), got.get(0).gpu().hostname());
  }

  @Test
  void outOfOrderWritesAreReturnedInTimeOrder() {
    for (int i = 9; i >= 0; i--) {
      await(store.write(List.of(sample(GPU_A, "m", sec(i), i))));
    }
    List<Sample> got = all(GPU_A.uuid());
    assertEquals(10, got.size());
    for (int i = 0; i < 10; i++) {
      assertEquals(sec(i), got.get(i).timestampMicros());
      assertEquals(i, got.get(i).value());
    }
  }

  @Test
  void telemetryWindowIsInclusiveAtBothEnds() {
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(sample(GPU_A, "m", sec(i), i));
    }
    await(store.write(batch));
    List<Sample> got = page(GPU_A.uuid(), sec(3), sec(6), null, 100, null).samples();
    assertEquals(List.of(sec(3), sec(4), sec(5), sec(6)), got.stream().map(Sample::timestampMicros).toList());
    assertEquals(1, page(GPU_A.uuid(), sec(3), sec(3), null, 100, null).samples().size());
    assertTrue(page(GPU_A.uuid(), sec(20), sec(30), null, 100, null).samples().isEmpty());
  }

  @Test
  void sameGpuMetricAndTimestampWrittenTwiceKeepsOneSampleWithTheLaterValue() {
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 1), sample(GPU_A, "m", sec(2), 2))));
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 10), sample(GPU_A, "m", sec(2), 2))));
    List<Sample> got = all(GPU_A.uuid());
    assertEquals(2, got.size());
    assertEquals(10, got.get(0).value());
  }

  @Test
  void duplicatesInsideOneWriteKeepOneSample() {
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 1), sample(GPU_A, "m", sec(1), 5))));
    List<Sample> got = all(GPU_A.uuid());
    assertEquals(1, got.size());
    assertEquals(5, got.get(0).value());
  }

  @Test
  void paginationCoversEverySampleExactlyOnce() {
    List<Sample> batch = new ArrayList<>();
    String[] names = {"c", "a", "b"};
    for (int i = 0; i < 50; i++) {
      for (String n : names) {
        batch.add(sample(GPU_A, n, sec(i), i));
      }
    }
    await(store.write(batch));
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    Cursor cursor = null;
    int pages = 0;
    do {
      SamplePage p = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 7, cursor);
      for (Sample s : p.samples()) {
        String key = s.timestampMicros() + "/" + s.metric();
        assertTrue(seen.add(key), "returned twice: " + key);
        order.add(key);
      }
      cursor = p.next();
      pages++;
      if (cursor != null) {
        assertEquals(7, p.samples().size());
      }
    } while (cursor != null);
    assertEquals(150, seen.size());
    assertEquals(22, pages);
    List<String> sorted = new ArrayList<>(order);
    sorted.sort((x, y) -> {
      String[] a = x.split("/");
      String[] b = y.split("/");
      int c = Long.compare(Long.parseLong(a[0]), Long.parseLong(b[0]));
      return c != 0 ? c : a[1].compareTo(b[1]);
    });
    assertEquals(sorted, order);
  }

  protected SamplePage pageDesc(String uuid, long start, long end, String metric, int limit, Cursor cursor) {
    return await(store.samples(new SampleQuery(uuid, start, end, metric, limit, cursor, true)));
  }

  private static String key(Sample s) {
    return (s.timestampMicros() - T0) / 1_000_000 + "/" + s.metric();
  }

  @Test
  void descendingOrderReturnsTheNewestFirstWithTiesByMetricNameReversed() {
    await(store.write(List.of(
        sample(GPU_A, "DCGM_FI_DEV_POWER_USAGE", sec(2), 300.5),
        sample(GPU_A, "DCGM_FI_DEV_GPU_UTIL", sec(1), 90),
        sample(GPU_A, "DCGM_FI_DEV_GPU_TEMP", sec(2), 61),
        sample(GPU_A, "DCGM_FI_DEV_GPU_UTIL", sec(2), 95),
        sample(GPU_A, "DCGM_FI_DEV_GPU_UTIL", sec(3), 97))));
    List<Sample> got = pageDesc(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 100, null).samples();
    assertEquals(List.of("3/DCGM_FI_DEV_GPU_UTIL", "2/DCGM_FI_DEV_POWER_USAGE", "2/DCGM_FI_DEV_GPU_UTIL",
        "2/DCGM_FI_DEV_GPU_TEMP", "1/DCGM_FI_DEV_GPU_UTIL"), got.stream().map(TelemetryStoreContractTest::key).toList());
    // with a limit: the newest, not the oldest
    SamplePage newest = pageDesc(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, "DCGM_FI_DEV_GPU_UTIL", 2, null);
    assertEquals(List.of(97.0, 95.0), newest.samples().stream().map(Sample::value).toList());
    assertNotNull(newest.next());
    // the window is inclusive at both ends in this order too
    assertEquals(List.of("2/DCGM_FI_DEV_POWER_USAGE", "2/DCGM_FI_DEV_GPU_UTIL", "2/DCGM_FI_DEV_GPU_TEMP",
        "1/DCGM_FI_DEV_GPU_UTIL"), pageDesc(GPU_A.uuid(), sec(1), sec(2), null, 100, null).samples().stream()
        .map(TelemetryStoreContractTest::key).toList());
    assertTrue(pageDesc(GPU_A.uuid(), sec(20), sec(30), null, 100, null).samples().isEmpty());
    assertTrue(pageDesc(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, "zzz", 10, null).samples().isEmpty());
  }

  @Test
  void descendingPaginationCoversEverySampleExactlyOnceNewestFirst() {
    List<Sample> batch = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    String[] names = {"c", "a", "b"};
    for (int i = 0; i < 50; i++) {
      for (String n : names) {
        batch.add(sample(GPU_A, n, sec(i), i));
      }
    }
    for (int i = 44; i >= 5; i--) { // the window [5, 44], newest first, names reversed
      for (String n : new String[] {"c", "b", "a"}) {
        expected.add(i + "/" + n);
      }
    }
    await(store.write(batch));
    List<String> order = new ArrayList<>();
    Cursor cursor = null;
    int pages = 0;
    do {
      SamplePage p = pageDesc(GPU_A.uuid(), sec(5), sec(44), null, 7, cursor == null ? null : Cursor.decode(cursor.encode()));
      p.samples().forEach(s -> order.add(key(s)));
      cursor = p.next();
      pages++;
      if (cursor != null) {
        assertEquals(7, p.samples().size());
      }
    } while (cursor != null);
    assertEquals(expected, order);
    assertEquals(18, pages); // 120 samples in pages of 7
  }

  @Test
  void descendingCursorResumesInsideATimestampAndEndsExactlyWhenFull() {
    await(store.write(List.of(sample(GPU_A, "a", sec(1), 1), sample(GPU_A, "b", sec(1), 2),
        sample(GPU_A, "c", sec(1), 3), sample(GPU_A, "a", sec(0), 0))));
    SamplePage first = pageDesc(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 1, null);
    assertEquals("c", first.samples().get(0).metric());
    SamplePage rest = pageDesc(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 3, first.next());
    assertEquals(List.of("1/b", "1/a", "0/a"), rest.samples().stream().map(TelemetryStoreContractTest::key).toList());
    assertNull(rest.next());
  }

  /** Samples in a shuffled order with overwrites; the oracle is the last write of each key's newest timestamp. */
  private Map<String, Sample> writeShuffledFleet() {
    Random random = new Random(12);
    Gpu[] gpus = {GPU_A, GPU_B, GPU_C, MIG};
    String[] names = {"a", "b", "c"};
    List<Sample> written = new ArrayList<>();
    for (Gpu g : gpus) {
      for (String n : names) {
        if (g == GPU_C && n.equals("c")) {
          continue; // a metric one GPU never reports
        }
        for (int i = 0; i < 30; i++) {
          written.add(sample(g, n, sec(random.nextInt(40)), random.nextInt(1000)));
        }
      }
    }
    java.util.Collections.shuffle(written, random);
    Map<String, Sample> oracle = new java.util.HashMap<>();
    for (int from = 0; from < written.size(); from += 17) {
      List<Sample> batch = written.subList(from, Math.min(written.size(), from + 17));
      await(store.write(new ArrayList<>(batch)));
      for (Sample s : batch) {
        String k = s.gpu().uuid() + "|" + s.metric();
        Sample known = oracle.get(k);
        if (known == null || s.timestampMicros() >= known.timestampMicros()) {
          oracle.put(k, s); // a later write at the same timestamp wins
        }
      }
    }
    return oracle;
  }

  @Test
  void latestOfAGpuIsTheNewestSampleOfEachMetricByName() {
    Map<String, Sample> oracle = writeShuffledFleet();
    for (Gpu g : new Gpu[] {GPU_A, GPU_C, MIG}) {
      List<Sample> got = await(store.latest(g.uuid()));
      List<String> expected = oracle.values().stream().filter(s -> s.gpu().uuid().equals(g.uuid()))
          .sorted(java.util.Comparator.comparing(Sample::metric)).map(s -> s.metric() + "@" + s.timestampMicros() + "=" + s.value())
          .toList();
      assertEquals(expected, got.stream().map(s -> s.metric() + "@" + s.timestampMicros() + "=" + s.value()).toList(), g.uuid());
      got.forEach(s -> assertEquals(g, s.gpu()));
    }
    assertTrue(await(store.latest("GPU-unknown")).isEmpty());
  }

  @Test
  void latestOfAMetricIsEachGpusNewestInCatalogueOrder() {
    Map<String, Sample> oracle = writeShuffledFleet();
    // catalogue order: host-a (GPU_C index 0, MIG index 0 by uuid), host-b (GPU_B index 0, GPU_A index 1)
    for (String metric : new String[] {"a", "c"}) {
      List<String> expected = new ArrayList<>();
      for (Gpu g : new Gpu[] {GPU_C, MIG, GPU_B, GPU_A}) {
        Sample s = oracle.get(g.uuid() + "|" + metric);
        if (s != null) {
          expected.add(g.uuid() + "@" + s.timestampMicros() + "=" + s.value());
        }
      }
      List<Sample> got = await(store.latestOf(metric, null));
      assertEquals(expected, got.stream().map(s -> s.gpu().uuid() + "@" + s.timestampMicros() + "=" + s.value()).toList());
      got.forEach(s -> assertEquals(metric, s.metric()));
      List<Sample> hostB = await(store.latestOf(metric, "host-b"));
      assertEquals(expected.subList(expected.size() - 2, expected.size()),
          hostB.stream().map(s -> s.gpu().uuid() + "@" + s.timestampMicros() + "=" + s.value()).toList());
    }
    assertEquals(3, await(store.latestOf("c", null)).size(), "GPU_C never reported c");
    assertTrue(await(store.latestOf("zzz", null)).isEmpty());
    assertTrue(await(store.latestOf("a", "no-such-host")).isEmpty());
  }

  /** The oracle: {@code samples} (distinct keys) in [start, end] bucketed by hand, by bucket start then metric name. */
  private static List<String> expectedBuckets(List<Sample> samples, long start, long end, String metric, long step,
                                              Aggregation agg) {
    java.util.TreeMap<Long, java.util.TreeMap<String, List<Sample>>> byBucket = new java.util.TreeMap<>();
    for (Sample s : samples) {
      if (s.timestampMicros() < start || s.timestampMicros() > end || (metric != null && !metric.equals(s.metric()))) {
        continue;
      }
      long b = Math.floorDiv(s.timestampMicros(), step) * step;
      byBucket.computeIfAbsent(b, k -> new java.util.TreeMap<>()).computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(s);
    }
    List<String> out = new ArrayList<>();
    byBucket.forEach((b, metrics) -> metrics.forEach((m, in) -> {
      double v = switch (agg) {
        case AVG -> in.stream().mapToDouble(Sample::value).sum() / in.size();
        case MIN -> in.stream().mapToDouble(Sample::value).min().orElseThrow();
        case MAX -> in.stream().mapToDouble(Sample::value).max().orElseThrow();
        case SUM -> in.stream().mapToDouble(Sample::value).sum();
        case COUNT -> in.size();
        case LAST -> in.stream().max(java.util.Comparator.comparingLong(Sample::timestampMicros)).orElseThrow().value();
      };
      out.add(bucketText(m, b, v, in.size()));
    }));
    return out;
  }

  private static String bucketText(String metric, long start, double value, long count) {
    // values are sums of integers and their quotients: rounding to 9 places absorbs summation order
    return metric + "@" + start + "=" + String.format(java.util.Locale.ROOT, "%.9f", value) + "x" + count;
  }

  private List<String> buckets(long start, long end, String metric, long step, Aggregation agg) {
    return await(store.buckets(new BucketQuery(GPU_A.uuid(), start, end, metric, step, agg))).stream()
        .map(b -> bucketText(b.metric(), b.startMicros(), b.value(), b.count())).toList();
  }

  @Test
  void bucketsMatchAnOracleForEveryAggregationAndWindowBoundary() {
    Random random = new Random(3);
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long ts = T0 + i * 250_000L + random.nextInt(3) * 1_000L; // 4 per second, some off the millisecond grid
      written.add(sample(GPU_A, "b", ts, random.nextInt(200) - 50));
      if (i % 3 == 0) {
        written.add(sample(GPU_A, "a", ts, random.nextInt(100))); // ties at one timestamp across metrics
      }
    }
    written.add(sample(GPU_B, "a", sec(5), 1e6)); // another GPU's sample never counts
    await(store.write(written));
    List<Sample> mine = written.stream().filter(s -> s.gpu().equals(GPU_A)).toList();
    long[][] windows = {
        {T0, T0 + 100_000_000L}, // everything
        {sec(3) + 500_000L, sec(50) + 1}, // starts and ends inside buckets
        {sec(10), sec(10)}, // one instant
    };
    for (long step : new long[] {7_000_000L, 1_000_000L, 60_000_000L, 333_333L}) {
      for (long[] w : windows) {
        for (Aggregation agg : Aggregation.values()) {
          for (String metric : new String[] {null, "a"}) {
            List<String> expected = expectedBuckets(mine, w[0], w[1], metric, step, agg);
            assertEquals(expected, buckets(w[0], w[1], metric, step, agg),
                "step " + step + " window " + (w[0] - T0) + ".." + (w[1] - T0) + " " + agg + " " + metric);
          }
        }
      }
    }
    assertFalse(expectedBuckets(mine, sec(3) + 500_000L, sec(50) + 1, null, 7_000_000L, Aggregation.AVG).isEmpty());
    // a bucket's start may lie before the window's start: it is the step-aligned bucket, not the window's
    List<String> partial = buckets(sec(3) + 500_000L, sec(50) + 1, null, 60_000_000L, Aggregation.COUNT);
    assertTrue(partial.get(0).contains("@" + Math.floorDiv(sec(3), 60_000_000L) * 60_000_000L + "="), partial.get(0));
  }

  @Test
  void bucketsOfAnEmptyWindowAnUnknownMetricOrGpuAreEmpty() {
    await(store.write(List.of(sample(GPU_A, "a", sec(1), 1), sample(GPU_A, "a", sec(100), 2))));
    assertEquals(List.of(), buckets(sec(2), sec(99), null, 1_000_000L, Aggregation.AVG));
    assertEquals(List.of(), buckets(sec(1), sec(100), "zzz", 1_000_000L, Aggregation.AVG));
    assertTrue(await(store.buckets(new BucketQuery("GPU-unknown", sec(1), sec(100), null, 1_000_000L,
        Aggregation.SUM))).isEmpty());
    assertEquals(List.of(bucketText("a", sec(1), 1, 1), bucketText("a", sec(100), 2, 1)),
        buckets(sec(1), sec(100), null, 1_000_000L, Aggregation.LAST));
  }

  @Test
  void nextCursorIsNullWhenTheLastPageIsExactlyFull() {
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 1), sample(GPU_A, "m", sec(2), 2))));
    SamplePage p = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 2, null);
    assertEquals(2, p.samples().size());
    assertNull(p.next());
    SamplePage first = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 1, null);
    assertNotNull(first.next());
    SamplePage second = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 1, first.next());
    assertEquals(sec(2), second.samples().get(0).timestampMicros());
    assertNull(second.next());
  }

  @Test
  void cursorSurvivesEncodingAndResumesInsideATimestamp() {
    await(store.write(List.of(sample(GPU_A, "a", sec(1), 1), sample(GPU_A, "b", sec(1), 2),
        sample(GPU_A, "c", sec(1), 3))));
    SamplePage first = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 1, null);
    Cursor decoded = Cursor.decode(first.next().encode());
    SamplePage rest = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 10, decoded);
    assertEquals(List.of("b", "c"), rest.samples().stream().map(Sample::metric).toList());
  }

  @Test
  void metricFilterReturnsOnlyThatMetric() {
    await(store.write(List.of(sample(GPU_A, "a", sec(1), 1), sample(GPU_A, "b", sec(1), 2),
        sample(GPU_A, "a", sec(2), 3))));
    List<Sample> got = page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, "a", 10, null).samples();
    assertEquals(List.of(1.0, 3.0), got.stream().map(Sample::value).toList());
    assertTrue(page(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, "zzz", 10, null).samples().isEmpty());
  }

  @Test
  void unknownGpuHasNoRecordAndNoSamples() {
    assertTrue(await(store.gpu("GPU-missing")).isEmpty());
    SamplePage p = page("GPU-missing", Long.MIN_VALUE, Long.MAX_VALUE, null, 10, null);
    assertTrue(p.samples().isEmpty());
    assertNull(p.next());
  }

  @Test
  void catalogueIsSortedByHostnameThenIndexThenUuidAndFiltersByHost() {
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 1), sample(GPU_B, "m", sec(1), 1),
        sample(GPU_C, "m", sec(1), 1), sample(MIG, "m", sec(1), 1))));
    List<String> order = await(store.gpus(null)).stream().map(r -> r.gpu().uuid()).toList();
    assertEquals(List.of(GPU_C.uuid(), MIG.uuid(), GPU_B.uuid(), GPU_A.uuid()), order);
    List<String> hostB = await(store.gpus("host-b")).stream().map(r -> r.gpu().uuid()).toList();
    assertEquals(List.of(GPU_B.uuid(), GPU_A.uuid()), hostB);
    assertTrue(await(store.gpus("host-none")).isEmpty());
  }

  @Test
  void gpuRecordCarriesIdentityAndSpanOfItsSamples() {
    await(store.write(List.of(sample(GPU_A, "m", sec(5), 1), sample(GPU_A, "m", sec(2), 1),
        sample(GPU_A, "n", sec(9), 1))));
    GpuRecord r = await(store.gpu(GPU_A.uuid())).orElseThrow();
    assertEquals(GPU_A, r.gpu());
    assertEquals(sec(2), r.firstSeenMicros());
    assertEquals(sec(9), r.lastSeenMicros());
  }

  @Test
  void hostsCountTheirGpus() {
    await(store.write(List.of(sample(GPU_A, "m", sec(1), 1), sample(GPU_B, "m", sec(1), 1),
        sample(GPU_C, "m", sec(1), 1), sample(GPU_A, "n", sec(1), 1))));
    assertEquals(List.of(new HostRecord("host-a", 1), new HostRecord("host-b", 2)), await(store.hosts()));
  }

  @Test
  void metricsAreDistinctAndSorted() {
    await(store.write(List.of(sample(GPU_A, "b", sec(1), 1), sample(GPU_B, "a", sec(1), 1),
        sample(GPU_C, "b", sec(2), 1))));
    assertEquals(List.of("a", "b"), await(store.metrics()));
  }

  @Test
  void migUuidPlacementAndSubSecondTimestampsRoundTrip() {
    long t = T0 + 123_456;
    await(store.write(List.of(new Sample(MIG, "m", t, 42.25, "trainer", "job-7", "ml"))));
    Sample s = all(MIG.uuid()).get(0);
    assertEquals(t, s.timestampMicros());
    assertEquals(42.25, s.value());
    assertEquals("trainer", s.container());
    assertEquals("job-7", s.pod());
    assertEquals("ml", s.namespace());
    assertEquals(MIG, await(store.gpu(MIG.uuid())).orElseThrow().gpu());
  }

  @Test
  void concurrentWritersLoseNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        jobs.add(pool.submit(() -> {
          for (int b = 0; b < 10; b++) {
            List<Sample> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
              Gpu gpu = (i % 2 == 0) ? GPU_A : GPU_B;
              batch.add(sample(gpu, "w" + worker, sec(b * 50 + i), i));
            }
            await(store.write(batch));
          }
        }));
      }
      for (Future<?> f : jobs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1000, all(GPU_A.uuid()).size());
    assertEquals(1000, all(GPU_B.uuid()).size());
  }

  private static final String XID = "DCGM_FI_DEV_XID_ERRORS";
  private static final Labels XID13 = Labels.of("xid", "13");
  private static final Labels XID31 = Labels.of("xid", "31");

  protected static Sample labelled(Gpu gpu, String metric, long micros, double value, Labels labels) {
    return new Sample(gpu, metric, micros, value, null, null, null, labels);
  }

  @Test
  void seriesThatDifferOnlyInLabelsAreKeptApartAndReturnedWithTheirLabels() {
    Sample a = labelled(GPU_A, XID, sec(1), 13, XID13);
    Sample b = labelled(GPU_A, XID, sec(1), 31, XID31);
    Sample plain = sample(GPU_A, XID, sec(1), 0);
    await(store.write(List.of(b, a, plain)));
    // one instant: by metric, then by labels (the empty set first)
    assertEquals(List.of(plain, a, b), all(GPU_A.uuid()));
    assertEquals(XID13, all(GPU_A.uuid()).get(1).labels());
    // a rewrite of one labelled series replaces only that series
    Sample a2 = labelled(GPU_A, XID, sec(1), 130, XID13);
    await(store.write(List.of(a2)));
    assertEquals(List.of(plain, a2, b), all(GPU_A.uuid()));
    assertEquals(List.of(plain, a2, b), await(store.latest(GPU_A.uuid())));
    assertEquals(List.of(plain, a2, b), await(store.latestOf(XID, null)));
    assertEquals(List.of(XID), await(store.metrics()));
    // a one-metric query finds every label set of the metric; newest first reverses the order
    assertEquals(List.of(plain, a2, b), page(GPU_A.uuid(), 0, sec(10), XID, 10, null).samples());
    assertEquals(List.of(b, a2, plain), await(store.samples(new SampleQuery(GPU_A.uuid(), 0, sec(10), XID, 10, null,
        true))).samples());
  }

  @Test
  void pagesThatEndBetweenTheLabelSetsOfOneInstantLoseAndRepeatNothing() {
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      written.add(sample(GPU_A, XID, sec(i), i));
      written.add(labelled(GPU_A, XID, sec(i), 13, XID13));
      written.add(labelled(GPU_A, XID, sec(i), 31, XID31));
      written.add(sample(GPU_A, "temp", sec(i), 40));
    }
    await(store.write(written));
    for (boolean descending : new boolean[] {false, true}) {
      for (int limit : new int[] {1, 2, 3}) {
        List<Sample> got = new ArrayList<>();
        Cursor cursor = null;
        do {
          SamplePage p = await(store.samples(new SampleQuery(GPU_A.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, limit,
              cursor == null ? null : Cursor.decode(cursor.encode()), descending)));
          got.addAll(p.samples());
          cursor = p.next();
        } while (cursor != null);
        List<Sample> expected = new ArrayList<>(all(GPU_A.uuid()));
        if (descending) {
          java.util.Collections.reverse(expected);
        }
        assertEquals(20, got.size(), "limit " + limit + (descending ? " desc" : ""));
        assertEquals(expected, got, "limit " + limit + (descending ? " desc" : ""));
      }
    }
  }

  @Test
  void latestGivesTheNewestSampleOfEachLabelSetInCatalogueOrder() {
    await(store.write(List.of(labelled(GPU_A, XID, sec(1), 13, XID13), labelled(GPU_A, XID, sec(5), 31, XID31),
        labelled(GPU_A, XID, sec(3), 14, XID13), sample(GPU_A, "temp", sec(9), 60),
        labelled(GPU_C, XID, sec(2), 31, XID31), sample(GPU_C, XID, sec(4), 0))));
    assertEquals(List.of(XID + XID13 + "@" + sec(3) + "=14.0", XID + XID31 + "@" + sec(5) + "=31.0",
            "temp{}@" + sec(9) + "=60.0"),
        await(store.latest(GPU_A.uuid())).stream().map(s -> s.metric() + s.labels() + "@" + s.timestampMicros() + "="
            + s.value()).toList());
    // catalogue order (host-a's GPU_C before host-b's GPU_A), then label set
    assertEquals(List.of(GPU_C.uuid() + "{}=0.0", GPU_C.uuid() + XID31 + "=31.0", GPU_A.uuid() + XID13 + "=14.0",
            GPU_A.uuid() + XID31 + "=31.0"),
        await(store.latestOf(XID, null)).stream().map(s -> s.gpu().uuid() + s.labels() + "=" + s.value()).toList());
    assertEquals(2, await(store.latestOf(XID, "host-b")).size());
  }

  @Test
  void replayingLabelledSamplesKeepsOneOfEach() {
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(labelled(GPU_A, XID, sec(i), i, i % 2 == 0 ? XID13 : XID31));
      batch.add(labelled(GPU_A, XID, sec(i), 100 + i, Labels.of("xid", "13", "err_msg", "Graphics Engine Exception")));
      batch.add(sample(GPU_A, XID, sec(i), 0));
    }
    await(store.write(batch));
    await(store.write(batch));
    await(store.write(batch.subList(20, 90)));
    List<Sample> stored = all(GPU_A.uuid());
    assertEquals(150, stored.size());
    assertEquals(new HashSet<>(batch), new HashSet<>(stored));
  }

  @Test
  void bucketsAndFleetSeriesAggregateEveryLabelSetOfAMetricTogether() {
    await(store.write(List.of(labelled(GPU_A, XID, sec(1), 1, XID13), labelled(GPU_A, XID, sec(2), 3, XID13),
        labelled(GPU_A, XID, sec(1), 10, XID31), labelled(GPU_A, XID, sec(3), 20, XID31),
        labelled(GPU_B, XID, sec(2), 6, XID31))));
    long step = 60_000_000L;
    long bucket = Math.floorDiv(sec(1), step) * step;
    Map<Aggregation, Double> expected = Map.of(Aggregation.AVG, 8.5, Aggregation.MIN, 1.0, Aggregation.MAX, 20.0,
        Aggregation.SUM, 34.0, Aggregation.COUNT, 4.0, Aggregation.LAST, 20.0);
    for (Map.Entry<Aggregation, Double> e : expected.entrySet()) {
      List<Bucket> got = await(store.buckets(new BucketQuery(GPU_A.uuid(), sec(0), sec(10), XID, step, e.getKey())));
      assertEquals(List.of(new Bucket(XID, bucket, e.getValue(), 4)), got, e.getKey().name());
    }
    List<FleetSeries> fleet = await(store.fleetBuckets(new FleetQuery(XID, null, sec(0), sec(10), step, Aggregation.AVG,
        FleetQuery.GroupBy.FLEET)));
    assertEquals(List.of(new Bucket(XID, bucket, 40.0 / 5, 5)), fleet.get(0).buckets());
  }

  @Test
  void gpuAttributesRoundTripAndAreNeverErasedBySamplesThatDoNotKnowThem() {
    Gpu full = new Gpu("GPU-attr", 2, "nvidia2", "NVIDIA A100-SXM4-80GB", "host-c", "00000000:B1:00.0", "535.129.03",
        null, null);
    Gpu mig = new Gpu("MIG-GPU-attr/1", 2, "nvidia2", "NVIDIA A100-SXM4-80GB", "host-c", "00000000:B1:00.0",
        "535.129.03", "GPU-attr", "3g.40gb");
    await(store.write(List.of(sample(full, "temp", sec(1), 40), sample(mig, "util", sec(1), 5))));
    assertEquals(full, await(store.gpu(full.uuid())).orElseThrow().gpu());
    assertEquals(mig, await(store.gpu(mig.uuid())).orElseThrow().gpu());
    // a CSV row of the same GPU says nothing of PCI bus or driver: they stay
    Gpu csv = new Gpu("GPU-attr", 2, "nvidia2", "NVIDIA A100-SXM4-80GB", "host-c");
    await(store.write(List.of(sample(csv, "temp", sec(2), 41))));
    assertEquals(full, await(store.gpu(full.uuid())).orElseThrow().gpu());
    assertEquals(full, await(store.latestOf("temp", null)).get(0).gpu());
    assertEquals(full, await(store.latest(full.uuid())).get(0).gpu());
    // a new driver replaces the old one
    Gpu upgraded = new Gpu("GPU-attr", 2, "nvidia2", "NVIDIA A100-SXM4-80GB", "host-c", null, "550.54.15", null, null);
    await(store.write(List.of(sample(upgraded, "temp", sec(3), 42))));
    assertEquals(new Gpu("GPU-attr", 2, "nvidia2", "NVIDIA A100-SXM4-80GB", "host-c", "00000000:B1:00.0", "550.54.15",
        null, null), await(store.gpu(full.uuid())).orElseThrow().gpu());
    List<GpuRecord> listed = await(store.gpus("host-c"));
    assertEquals(List.of("00000000:B1:00.0", "00000000:B1:00.0"), listed.stream().map(r -> r.gpu().pciBusId()).toList());
    assertEquals("3g.40gb", listed.get(1).gpu().migProfile());
  }

  @Test
  void pingSucceedsOnAStartedStore() {
    await(store.ping());
    assertFalse(await(store.gpus(null)).iterator().hasNext());
  }
}
