package org.gputelemetry.pipeline.store;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TelemetryStore#fleetBuckets} against an oracle computed from the written samples, for
 * every aggregation and grouping; each store's test class extends this one.
 */
public abstract class FleetBucketsContractTest {

  private static final long T0 = Timestamps.parseMicros("2025-07-18T20:42:34Z");
  // catalogue order: host-a (C, MIG), host-b (B, A)
  private static final Gpu GPU_A = new Gpu("GPU-aaaa", 1, "nvidia1", "NVIDIA H100 80GB HBM3", "host-b");
  private static final Gpu GPU_B = new Gpu("GPU-bbbb", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-b");
  private static final Gpu GPU_C = new Gpu("GPU-cccc", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");
  private static final Gpu MIG = new Gpu("MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0", 0, "nvidia0",
      "NVIDIA A100", "host-a");
  private static final List<Gpu> CATALOGUE = List.of(GPU_C, MIG, GPU_B, GPU_A);

  protected TelemetryStore store;

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

  /** Random samples of "m" (and noise in "other") on four GPUs, two label sets on GPU A. */
  private List<Sample> writeFleet() {
    Random random = new Random(7);
    List<Sample> written = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Gpu gpu = CATALOGUE.get(random.nextInt(CATALOGUE.size()));
      // distinct timestamps everywhere: "last" is then defined without ties
      long ts = T0 + i * 137_000L;
      Labels labels = gpu == GPU_A && i % 2 == 0 ? Labels.of("err_code", "13") : Labels.EMPTY;
      written.add(new Sample(gpu, "m", ts, random.nextInt(200) - 50, null, null, null, labels));
      if (i % 5 == 0) {
        written.add(new Sample(gpu, "other", ts, 1e6, null, null, null));
      }
    }
    await(store.write(written));
    return written;
  }

  private static String text(String key, long start, double value, long count) {
    return key + "@" + start + "=" + String.format(Locale.ROOT, "%.9f", value) + "x" + count;
  }

  private List<String> actual(FleetQuery q) {
    List<String> out = new ArrayList<>();
    for (FleetSeries s : await(store.fleetBuckets(q))) {
      String key = s.uuid() + "/" + s.hostname();
      for (Bucket b : s.buckets()) {
        assertEquals(q.metric(), b.metric());
        out.add(text(key, b.startMicros(), b.value(), b.count()));
      }
      if (s.buckets().isEmpty()) {
        out.add(key + " empty");
      }
    }
    return out;
  }

  private static List<String> oracle(List<Sample> written, FleetQuery q) {
    Function<Gpu, String> keyOf = switch (q.groupBy()) {
      case GPU -> g -> g.uuid() + "/" + g.hostname();
      case HOSTNAME -> g -> "null/" + g.hostname();
      case FLEET -> g -> "null/null";
    };
    Map<String, TreeMap<Long, List<Sample>>> groups = new LinkedHashMap<>();
    if (q.groupBy() == FleetQuery.GroupBy.FLEET) {
      groups.put("null/null", new TreeMap<>());
    }
    for (Gpu gpu : CATALOGUE) {
      if (q.hostname() != null && !q.hostname().equals(gpu.hostname())) {
        continue;
      }
      for (Sample s : written) {
        if (s.gpu().equals(gpu) && s.metric().equals(q.metric()) && s.timestampMicros() >= q.startMicros()
            && s.timestampMicros() <= q.endMicros()) {
          long bucket = Math.floorDiv(s.timestampMicros(), q.stepMicros()) * q.stepMicros();
          groups.computeIfAbsent(keyOf.apply(gpu), k -> new TreeMap<>())
              .computeIfAbsent(bucket, k -> new ArrayList<>()).add(s);
        }
      }
    }
    List<String> out = new ArrayList<>();
    groups.forEach((key, buckets) -> {
      buckets.forEach((start, samples) -> {
        double value = switch (q.agg()) {
          case AVG -> samples.stream().mapToDouble(Sample::value).sum() / samples.size();
          case MIN -> samples.stream().mapToDouble(Sample::value).min().orElseThrow();
          case MAX -> samples.stream().mapToDouble(Sample::value).max().orElseThrow();
          case SUM -> samples.stream().mapToDouble(Sample::value).sum();
          case COUNT -> samples.size();
          case LAST -> samples.stream().max((x, y) -> Long.compare(x.timestampMicros(), y.timestampMicros()))
              .orElseThrow().value();
        };
        out.add(text(key, start, value, samples.size()));
      });
      if (buckets.isEmpty()) {
        out.add(key + " empty");
      }
    });
    return out;
  }

  @Test
  void fleetBucketsMatchAnOracleForEveryAggregationGroupingAndHost() {
    List<Sample> written = writeFleet();
    long[][] windows = {{T0, T0 + 60_000_000L}, {T0 + 3_500_000L, T0 + 20_000_001L}};
    for (long step : new long[] {1_000_000L, 7_000_000L, 333_333L}) {
      for (long[] w : windows) {
        for (Aggregation agg : Aggregation.values()) {
          for (FleetQuery.GroupBy groupBy : FleetQuery.GroupBy.values()) {
            for (String host : new String[] {null, "host-b"}) {
              FleetQuery q = new FleetQuery("m", host, w[0], w[1], step, agg, groupBy);
              List<String> expected = oracle(written, q);
              assertEquals(expected, actual(q), q.toString());
            }
          }
        }
      }
    }
    FleetQuery perHost = new FleetQuery("m", null, T0, T0 + 60_000_000L, 7_000_000L, Aggregation.AVG,
        FleetQuery.GroupBy.HOSTNAME);
    List<FleetSeries> hosts = await(store.fleetBuckets(perHost));
    assertEquals(List.of("host-a", "host-b"), hosts.stream().map(FleetSeries::hostname).toList());
    // the oracle is not trivially empty, and groups really combine several GPUs
    assertTrue(hosts.get(0).buckets().stream().anyMatch(b -> b.count() > 1));
  }

  @Test
  void anUnknownMetricGivesNoSeriesAndOneEmptyFleetSeries() {
    writeFleet();
    assertTrue(await(store.fleetBuckets(new FleetQuery("zzz", null, T0, T0 + 60_000_000L, 1_000_000L,
        Aggregation.AVG, FleetQuery.GroupBy.GPU))).isEmpty());
    List<FleetSeries> fleet = await(store.fleetBuckets(new FleetQuery("zzz", null, T0, T0 + 60_000_000L,
        1_000_000L, Aggregation.AVG, FleetQuery.GroupBy.FLEET)));
    assertEquals(1, fleet.size());
    assertTrue(fleet.get(0).buckets().isEmpty());
    assertFalse(await(store.fleetBuckets(new FleetQuery("m", "host-a", T0, T0 + 60_000_000L, 1_000_000L,
        Aggregation.AVG, FleetQuery.GroupBy.GPU))).stream().anyMatch(s -> !"host-a".equals(s.hostname())));
  }
}
