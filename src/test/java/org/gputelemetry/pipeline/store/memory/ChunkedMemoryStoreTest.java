package org.gputelemetry.pipeline.store.memory;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.junit.jupiter.api.Test;

/**
 * The memory store across its chunk boundaries: heads closed every {@value MetricSeries#CHUNK_POINTS}
 * points, windows and buckets that start or end inside a chunk, late and replayed samples merged
 * into closed chunks, eviction by bytes and by {@code maxEntriesPerGPU}, every aggregate against
 * an oracle computed from the points written.
 */
class ChunkedMemoryStoreTest {

  private static final long T0 = Timestamps.parseMicros("2025-07-18T20:42:34Z");
  private static final int CHUNK = MetricSeries.CHUNK_POINTS;
  private static final Gpu GPU = new Gpu("GPU-1111", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");

  private MemoryTelemetryStore store = new MemoryTelemetryStore(64L << 20, 0);

  private static long sec(long n) {
    return T0 + n * 1_000_000L;
  }

  private static Sample sample(Gpu gpu, String metric, long micros, double value) {
    return new Sample(gpu, metric, micros, value, null, null, null);
  }

  /** A series of {@code n} points a second apart, values a seeded random walk with three decimals. */
  private static List<Sample> walk(Gpu gpu, String metric, int from, int n, long seed) {
    return walk(gpu, metric, from, n, seed, 1_000_000L);
  }

  /** As {@link #walk(Gpu, String, int, int, long)}, points {@code spacing} microseconds apart from {@code T0 + from * spacing}. */
  private static List<Sample> walk(Gpu gpu, String metric, int from, int n, long seed, long spacing) {
    Random r = new Random(seed);
    List<Sample> out = new ArrayList<>();
    double v = 300;
    for (int i = from; i < from + n; i++) {
      v = Math.max(0, v + Math.round((r.nextDouble() - 0.5) * 20_000) / 1000.0);
      out.add(sample(gpu, metric, T0 + i * spacing, v));
    }
    return out;
  }

  private List<Sample> window(String uuid, long start, long end, String metric, boolean descending) {
    List<Sample> out = new ArrayList<>();
    Cursor cursor = null;
    do {
      SamplePage page = await(store.samples(new SampleQuery(uuid, start, end, metric, 700, cursor, descending)));
      out.addAll(page.samples());
      cursor = page.next();
    } while (cursor != null);
    return out;
  }

  private static List<Long> times(List<Sample> samples) {
    return samples.stream().map(Sample::timestampMicros).toList();
  }

  @Test
  void pointsSurviveEveryChunkBoundaryInOrder() {
    // at 10 Hz a head fills its 512 points within a 5-minute window; at 1 Hz the windows close it
    long[][] cases = {{CHUNK - 1, 100_000}, {CHUNK, 100_000}, {CHUNK + 1, 100_000}, {3 * CHUNK + 100, 100_000},
        {299, 1_000_000}, {300, 1_000_000}, {301, 1_000_000}, {3 * CHUNK + 100, 1_000_000}};
    for (long[] c : cases) {
      int n = (int) c[0];
      store = new MemoryTelemetryStore(64L << 20, 0);
      List<Sample> written = walk(GPU, "power", 0, n, n, c[1]);
      await(store.write(written));
      assertEquals(n, store.samples());
      List<Sample> read = window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false);
      assertEquals(written, read, n + " points, " + c[1] + " us apart");
      List<Sample> newestFirst = new ArrayList<>(written);
      java.util.Collections.reverse(newestFirst);
      assertEquals(newestFirst, window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, true), n + " points");
      assertEquals(written.get(n - 1), await(store.latest(GPU.uuid())).get(0));
    }
  }

  @Test
  void windowsStartingAndEndingInsideChunksMatchTheOracle() {
    List<Sample> written = new ArrayList<>(walk(GPU, "power", 0, 5 * CHUNK + 17, 1));
    written.addAll(walk(GPU, "temp", 0, 5 * CHUNK + 17, 2));
    await(store.write(written));
    Random r = new Random(3);
    for (int i = 0; i < 40; i++) {
      long start = sec(r.nextInt(6 * CHUNK) - 100);
      long end = start + r.nextInt(3 * CHUNK) * 1_000_000L;
      String metric = i % 3 == 0 ? null : i % 3 == 1 ? "power" : "temp";
      List<Sample> expected = written.stream()
          .filter(s -> s.timestampMicros() >= start && s.timestampMicros() <= end)
          .filter(s -> metric == null || s.metric().equals(metric))
          .sorted(java.util.Comparator.comparingLong(Sample::timestampMicros).thenComparing(Sample::metric))
          .toList();
      assertEquals(expected, window(GPU.uuid(), start, end, metric, false), "window " + i);
      List<Sample> reversed = new ArrayList<>(expected);
      java.util.Collections.reverse(reversed);
      assertEquals(reversed, window(GPU.uuid(), start, end, metric, true), "window " + i + " newest first");
    }
  }

  @Test
  void lateSampleIntoAClosedChunkIsMergedAndReplacesTheSameTimestamp() {
    List<Sample> written = new ArrayList<>(walk(GPU, "power", 0, 3 * CHUNK, 4));
    Sample missing = written.remove(100);
    await(store.write(written));
    assertEquals(3 * CHUNK - 1, store.samples());
    await(store.write(List.of(missing, sample(GPU, "power", sec(200), -1.5))));
    assertEquals(3 * CHUNK, store.samples());
    List<Sample> read = window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, "power", false);
    assertEquals(3 * CHUNK, read.size());
    assertEquals(missing, read.get(100));
    assertEquals(-1.5, read.get(200).value());
    assertEquals(sec(3 * CHUNK - 1), await(store.latest(GPU.uuid())).get(0).timestampMicros(), "latest unchanged");
  }

  @Test
  void replayOfAWholeHistoryKeepsOneSampleEachWithTheLaterValue() {
    await(store.write(walk(GPU, "power", 0, 4 * CHUNK + 3, 5)));
    List<Sample> replay = walk(GPU, "power", 0, 4 * CHUNK + 3, 6);
    await(store.write(replay));
    assertEquals(4 * CHUNK + 3, store.samples());
    assertEquals(replay, window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false));
    // within one batch too: the later of two writes of one timestamp wins
    await(store.write(List.of(sample(GPU, "power", sec(7), 1), sample(GPU, "power", sec(7), 2))));
    assertEquals(2.0, window(GPU.uuid(), sec(7), sec(7), null, false).get(0).value());
  }

  @Test
  void oldHistoryReplayedBeforeEverythingKeptStaysInOrderAndSplitsItsChunk() {
    await(store.write(walk(GPU, "power", 10 * CHUNK, CHUNK, 7)));
    List<Sample> old = walk(GPU, "power", 0, 10 * CHUNK, 8);
    for (int i = 0; i < old.size(); i += 1000) {
      await(store.write(old.subList(i, Math.min(old.size(), i + 1000))));
    }
    List<Sample> read = window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false);
    assertEquals(11 * CHUNK, read.size());
    assertEquals(old, read.subList(0, 10 * CHUNK));
  }

  @Test
  void contextsThatChangeWithinAChunkComeBackPerSample() {
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 2 * CHUNK; i++) {
      String pod = i < 300 ? null : i < 700 ? "train-a" : "train-b";
      written.add(new Sample(GPU, "util", sec(i), i % 100, pod == null ? null : "main", pod, pod == null ? null : "ml"));
    }
    await(store.write(written));
    assertEquals(written, window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false));
    assertEquals("train-b", await(store.latest(GPU.uuid())).get(0).pod());
  }

  @Test
  void everyAggregateMatchesAnOracleWhateverTheStepAndWindow() {
    for (long spacing : new long[] {1_000_000L, 100_000L}) {
      store = new MemoryTelemetryStore(64L << 20, 0);
      List<Sample> written = new ArrayList<>(walk(GPU, "power", 0, 6 * CHUNK + 77, 9, spacing));
      await(store.write(written));
      aggregatesMatchTheOracle(written, spacing);
    }
  }

  private void aggregatesMatchTheOracle(List<Sample> written, long spacing) {
    Random r = new Random(10);
    long[] steps = {1_000_000L, 7_000_000L, 60_000_000L, 300_000_000L, CHUNK * 1_000_000L, 3_600_000_000L, 86_400_000_000L};
    for (long step : steps) {
      for (int w = 0; w < 6; w++) {
        long start = w == 0 ? T0 : T0 + r.nextInt(6 * CHUNK) * spacing;
        long end = w == 0 ? T0 + 7 * CHUNK * spacing : start + r.nextInt(4 * CHUNK) * spacing;
        for (Aggregation agg : Aggregation.values()) {
          BucketQuery q = new BucketQuery(GPU.uuid(), start, end, "power", step, agg);
          List<Bucket> expected = oracle(written, q);
          List<Bucket> actual = await(store.buckets(q));
          assertEquals(expected.size(), actual.size(), agg + " step " + step + " window " + w);
          for (int i = 0; i < expected.size(); i++) {
            Bucket e = expected.get(i);
            Bucket a = actual.get(i);
            assertEquals(e.startMicros(), a.startMicros());
            assertEquals(e.count(), a.count());
            assertFalse(Double.isNaN(a.value()), agg + " gave NaN");
            assertEquals(e.value(), a.value(), Math.abs(e.value()) * 1e-12, agg + " step " + step + " bucket " + i);
          }
        }
      }
    }
  }

  private static List<Bucket> oracle(List<Sample> samples, BucketQuery q) {
    TreeMap<Long, List<Double>> buckets = new TreeMap<>();
    for (Sample s : samples) {
      if (s.timestampMicros() >= q.startMicros() && s.timestampMicros() <= q.endMicros()) {
        buckets.computeIfAbsent(q.bucketOf(s.timestampMicros()), k -> new ArrayList<>()).add(s.value());
      }
    }
    List<Bucket> out = new ArrayList<>();
    buckets.forEach((start, values) -> {
      double sum = values.stream().mapToDouble(Double::doubleValue).sum();
      double value = switch (q.agg()) {
        case AVG -> sum / values.size();
        case MIN -> values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        case MAX -> values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        case SUM -> sum;
        case COUNT -> values.size();
        case LAST -> values.get(values.size() - 1);
      };
      out.add(new Bucket("power", start, value, values.size()));
    });
    return out;
  }

  @Test
  void overMaxBytesTheOldestClosedChunksOfTheFleetGoFirst() {
    long maxBytes = 1L << 20;
    store = new MemoryTelemetryStore(maxBytes, 0);
    List<Gpu> gpus = new ArrayList<>();
    for (int g = 0; g < 8; g++) {
      gpus.add(new Gpu("GPU-" + g, g, "nvidia" + g, "NVIDIA H100 80GB HBM3", "host-a"));
    }
    long written = 0;
    Random r = new Random(11);
    int ticks = 200 * 100;
    for (int t = 0; t < ticks; t += 100) {
      List<Sample> batch = new ArrayList<>();
      for (Gpu gpu : gpus) {
        for (int i = t; i < t + 100; i++) {
          batch.add(sample(gpu, "noise", sec(i), r.nextDouble())); // incompressible: about 8 bytes a point
        }
      }
      await(store.write(batch));
      written += batch.size();
      assertTrue(store.bytes() <= maxBytes, "over the bound after a write: " + store.bytes());
    }
    assertTrue(store.evictedSamples() > 0);
    assertEquals(written, store.samples() + store.evictedSamples());
    long oldestKept = Long.MAX_VALUE;
    long newestOldest = Long.MIN_VALUE;
    long kept = 0;
    for (Gpu gpu : gpus) {
      List<Sample> left = window(gpu.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false);
      kept += left.size();
      oldestKept = Math.min(oldestKept, left.get(0).timestampMicros());
      newestOldest = Math.max(newestOldest, left.get(0).timestampMicros());
      assertEquals(sec(ticks - 1), left.get(left.size() - 1).timestampMicros(), "the newest stay");
      assertEquals(sec(ticks - 1), await(store.latest(gpu.uuid())).get(0).timestampMicros());
    }
    assertEquals(store.samples(), kept);
    // fleet-wide: every GPU lost its history up to about the same time, within one chunk
    assertTrue(newestOldest - oldestKept <= CHUNK * 1_000_000L, (newestOldest - oldestKept) + " us apart");
  }

  @Test
  void maxEntriesPerGpuDropsTheGpusOldestPointsEvenInsideClosedChunks() {
    store = new MemoryTelemetryStore(64L << 20, 1000);
    List<Sample> written = new ArrayList<>(walk(GPU, "power", 0, 3 * CHUNK, 12));
    written.addAll(walk(GPU, "temp", 0, 3 * CHUNK, 13));
    await(store.write(written));
    assertEquals(1000, store.samples());
    assertEquals(6 * CHUNK - 1000, store.evictedSamples());
    List<Sample> left = window(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, false);
    List<Sample> expected = written.stream()
        .sorted(java.util.Comparator.comparingLong(Sample::timestampMicros).thenComparing(Sample::metric))
        .toList();
    assertEquals(expected.subList(expected.size() - 1000, expected.size()), left);
    // a trimmed chunk is aggregated from its points, not from its stale summary
    BucketQuery all = new BucketQuery(GPU.uuid(), sec(0), sec(3 * CHUNK), "power", 86_400_000_000L, Aggregation.COUNT);
    assertEquals(500.0, await(store.buckets(all)).get(0).value());
  }

  @Test
  void concurrentWritersQueriesAndEvictionKeepTheCountsAndTheBound() throws Exception {
    long maxBytes = 2L << 20;
    store = new MemoryTelemetryStore(maxBytes, 0);
    int writers = 4;
    int perWriter = 120_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 1);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Gpu gpu = new Gpu("GPU-w" + w, w, "nvidia" + w, "NVIDIA H100 80GB HBM3", "host-a");
        long seed = w;
        done.add(pool.submit(() -> {
          Random r = new Random(seed);
          for (int t = 0; t < perWriter; t += 500) {
            List<Sample> batch = new ArrayList<>();
            for (int i = t; i < t + 500; i++) {
              batch.add(sample(gpu, "noise", sec(i), r.nextDouble()));
              if (i % 50 == 0) {
                batch.add(sample(gpu, "noise", sec(Math.max(0, i - 2_000)), -1)); // late, into a closed chunk
              }
            }
            await(store.write(batch));
          }
        }));
      }
      java.util.concurrent.Future<?> reader = pool.submit(() -> {
        while (done.stream().anyMatch(f -> !f.isDone())) {
          for (int w = 0; w < writers; w++) {
            List<Sample> page = await(store.samples(new SampleQuery("GPU-w" + w, Long.MIN_VALUE, Long.MAX_VALUE, null,
                1000, null))).samples();
            for (int i = 1; i < page.size(); i++) {
              assertTrue(page.get(i - 1).timestampMicros() < page.get(i).timestampMicros(), "ordered, one per timestamp");
            }
            await(store.buckets(new BucketQuery("GPU-w" + w, sec(0), sec(perWriter), "noise", 300_000_000L,
                Aggregation.AVG)));
          }
        }
      });
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      reader.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    await(store.write(List.of())); // a last write enforces the bound after every writer's last
    assertTrue(store.bytes() <= maxBytes, store.bytes() + " bytes");
    assertTrue(store.evictedSamples() > 0);
    long kept = 0;
    for (int w = 0; w < writers; w++) {
      kept += window("GPU-w" + w, Long.MIN_VALUE, Long.MAX_VALUE, null, false).size();
      assertEquals(sec(perWriter - 1), await(store.latest("GPU-w" + w)).get(0).timestampMicros());
    }
    assertEquals(store.samples(), kept);
  }

  @Test
  void aConstantSeriesCostsUnderOneBytePerSample() {
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < 200 * CHUNK; i++) {
      batch.add(sample(GPU, "clock", sec(i), 2619));
    }
    await(store.write(batch));
    assertTrue(store.bytes() < store.samples(), store.bytes() + " bytes for " + store.samples() + " samples");
  }
}
