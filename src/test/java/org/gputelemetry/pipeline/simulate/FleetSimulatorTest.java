package org.gputelemetry.pipeline.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

  private static final Set<Double> XID_CODES = Set.of(13.0, 31.0, 43.0, 48.0, 63.0, 79.0, 94.0, 95.0);

  @Test
  void sameSeedAndConfigGiveTheSameSamples() {
    FleetConfig config = FleetConfig.of(40).withMetrics(List.of(DcgmMetric.values()));

    assertEquals(run(config, 120), run(config, 120));
  }

  @Test
  void anotherSeedGivesAnotherFleet() {
    List<Sample> one = run(FleetConfig.of(20), 60);
    List<Sample> other = run(FleetConfig.of(20).withSeed(2), 60);

    Set<String> uuids = new HashSet<>();
    one.forEach(s -> uuids.add(s.gpu().uuid()));
    other.forEach(s -> assertTrue(!uuids.contains(s.gpu().uuid()), "uuid shared across seeds " + s.gpu().uuid()));
    assertNotEquals(values(one), values(other));
  }

  @Test
  void aShareOfTheFleetReportsWhatTheWholeFleetReportsForIt() {
    FleetConfig config = FleetConfig.of(30).withMetrics(List.of(DcgmMetric.values()));
    List<Sample> whole = run(config, 200);
    FleetSimulator odd = FleetSimulator.of(config, i -> i % 2 == 1);
    List<Sample> share = new ArrayList<>();
    for (int t = 0; t < 200; t++) {
      odd.tick(share::add);
    }

    List<Sample> expected = whole.stream().filter(s -> fleetIndexOf(config, s.gpu()) % 2 == 1).toList();
    assertEquals(15 * 20 * 200, share.size());
    assertEquals(expected, share);
  }

  @Test
  void streamersWithChangingDisjointSharesTogetherReportTheWholeFleet() {
    FleetConfig config = FleetConfig.of(24);
    List<Sample> whole = run(config, 100);
    FleetSimulator first = FleetSimulator.of(config);
    FleetSimulator second = FleetSimulator.of(config);
    List<Sample> together = new ArrayList<>();
    for (int t = 0; t < 100; t++) {
      // the split moves at tick 50, as it does when a streamer joins
      int split = t < 50 ? 2 : 3;
      long ts = config.startMicros() + t * config.intervalMicros();
      List<Sample> tick = new ArrayList<>();
      first.tick(ts, gpu -> Math.floorMod(gpu.uuid().hashCode(), split) == 0, tick::add);
      second.tick(ts, gpu -> Math.floorMod(gpu.uuid().hashCode(), split) != 0, tick::add);
      together.addAll(tick);
    }

    assertEquals(new HashSet<>(whole), new HashSet<>(together));
    assertEquals(whole.size(), together.size());
  }

  @Test
  void identitiesLookLikeADcgmFleet() {
    FleetSimulator fleet = FleetSimulator.of(FleetConfig.of(20));
    List<SimulatedGpu> gpus = fleet.gpus();

    assertEquals(20, gpus.size());
    assertEquals(3, fleet.config().hosts());
    Set<String> uuids = new HashSet<>();
    Map<String, Set<String>> busesByHost = new HashMap<>();
    for (SimulatedGpu g : gpus) {
      Gpu gpu = g.gpu();
      assertTrue(gpu.uuid().matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), gpu.uuid());
      assertTrue(uuids.add(gpu.uuid()), "duplicate uuid " + gpu.uuid());
      assertEquals(g.fleetIndex() % 8, gpu.gpuIndex());
      assertEquals("nvidia" + gpu.gpuIndex(), gpu.device());
      assertEquals("NVIDIA H100 80GB HBM3", gpu.modelName());
      assertEquals(String.format("sim-dgx-%03d", g.fleetIndex() / 8 + 1), gpu.hostname());
      assertEquals(gpu.hostname() + ":9400", g.instance());
      assertEquals("535.129.03", g.driverVersion());
      assertTrue(g.pciBusId().matches("[0-9A-F]{8}:[0-9A-F]{2}:00\\.0"), g.pciBusId());
      assertTrue(busesByHost.computeIfAbsent(gpu.hostname(), h -> new HashSet<>()).add(g.pciBusId()),
          "PCI bus used twice on a host: " + g.pciBusId());
    }
    assertEquals("00000000:18:00.0", gpus.get(0).pciBusId());
    assertEquals(4, fleet.gpus().stream().filter(g -> g.hostIndex() == 2).count(), "the last host has the rest");
  }

  @Test
  void everyTickReportsEveryMetricOfEveryGpuOnTheSimulatedClock() {
    FleetConfig config = FleetConfig.of(5).withInterval(java.time.Duration.ofMillis(500));
    FleetSimulator fleet = FleetSimulator.of(config);
    List<Sample> first = new ArrayList<>();
    fleet.tick(first::add);
    List<Sample> second = new ArrayList<>();
    fleet.tick(second::add);

    assertEquals(50, first.size());
    assertTrue(first.stream().allMatch(s -> s.timestampMicros() == config.startMicros()));
    assertTrue(second.stream().allMatch(s -> s.timestampMicros() == config.startMicros() + 500_000));
    assertEquals(DcgmMetric.SAMPLE_SET.stream().map(DcgmMetric::dcgmName).toList(),
        first.subList(0, 10).stream().map(Sample::metric).toList());
    assertTrue(first.stream().allMatch(s -> s.container() == null && s.pod() == null && s.namespace() == null));
  }

  @Test
  void processingTimeStampsDoNotChangeTheValues() {
    FleetConfig config = FleetConfig.of(10);
    FleetSimulator stamped = FleetSimulator.of(config);
    List<Sample> live = new ArrayList<>();
    for (int t = 0; t < 50; t++) {
      stamped.tick(1_800_000_000_000_000L + t * 1_000_123L, live::add);
    }

    assertEquals(values(run(config, 50)), values(live));
    assertEquals(1_800_000_000_000_000L + 49 * 1_000_123L, live.get(live.size() - 1).timestampMicros());
  }

  @Test
  void utilisationIsAWholePercentageThatMoves() {
    Series util = series(FleetConfig.of(100), DcgmMetric.GPU_UTIL, 1800);

    int changes = 0;
    Set<Double> seen = new HashSet<>();
    for (double[] s : util.byGpu) {
      for (int t = 0; t < s.length; t++) {
        assertTrue(s[t] >= 0 && s[t] <= 100 && s[t] == Math.rint(s[t]), "utilisation " + s[t]);
        seen.add(s[t]);
        if (t > 0 && s[t] != s[t - 1]) {
          changes++;
        }
      }
    }
    assertTrue(seen.contains(0.0) && seen.contains(100.0), "idle and saturated GPUs: " + seen);
    assertTrue(seen.size() > 50, "a spread of levels: " + seen.size());
    assertTrue(changes > util.count() / 5, "a random walk, not a constant: " + changes + " changes");
  }

  @Test
  void jobsStartAndEnd() {
    Series util = series(FleetConfig.of(100), DcgmMetric.GPU_UTIL, 3600);

    int starts = 0;
    int ends = 0;
    for (double[] s : util.byGpu) {
      for (int t = 60; t < s.length; t++) {
        boolean idleBefore = max(s, t - 60, t) == 0;
        boolean idleAfter = max(s, t, Math.min(s.length, t + 30)) == 0;
        if (idleBefore && s[t] > 0 && !idleAfter) {
          starts++;
          t += 60;
        }
      }
      for (int t = 60; t + 60 < s.length; t++) {
        if (min(s, t - 60, t) > 50 && max(s, t, t + 60) == 0) {
          ends++;
          t += 60;
        }
      }
    }
    assertTrue(starts > 10, "jobs start: " + starts);
    assertTrue(ends > 10, "jobs end: " + ends);
  }

  @Test
  void temperatureFollowsUtilisationWithALag() {
    FleetConfig config = FleetConfig.of(200).withMetrics(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.GPU_TEMP));
    Map<DcgmMetric, Series> s = seriesOf(config, 3600);
    double[] util = s.get(DcgmMetric.GPU_UTIL).flat();
    double[] temp = s.get(DcgmMetric.GPU_TEMP).flat();

    assertTrue(correlation(util, temp) > 0.6, "temperature correlates with load: " + correlation(util, temp));
    double hot = 0;
    double cold = 0;
    int hotCount = 0;
    int coldCount = 0;
    for (int i = 0; i < util.length; i++) {
      assertTrue(temp[i] >= 15 && temp[i] <= 95 && temp[i] == Math.rint(temp[i]), "temperature " + temp[i]);
      if (util[i] >= 90) {
        hot += temp[i];
        hotCount++;
      } else if (util[i] == 0) {
        cold += temp[i];
        coldCount++;
      }
    }
    assertTrue(hot / hotCount > cold / coldCount + 15, "busy GPUs run hotter: " + hot / hotCount + " vs " + cold / coldCount);
    // a lag, not a copy: when a GPU goes from idle to busy, the temperature takes tens of seconds to follow
    int rises = 0;
    for (int g = 0; g < config.gpus(); g++) {
      double[] u = s.get(DcgmMetric.GPU_UTIL).byGpu[g];
      double[] tc = s.get(DcgmMetric.GPU_TEMP).byGpu[g];
      for (int t = 5; t + 120 < u.length; t++) {
        if (max(u, t - 5, t) < 20 && min(u, t + 5, t + 120) >= 80 && tc[t + 120] - tc[t - 1] >= 8) {
          rises++;
          double soon = tc[t + 5] - tc[t - 1];
          double later = tc[t + 120] - tc[t - 1];
          assertTrue(soon < later / 2, "thermal lag at GPU " + g + " t=" + t + ": " + soon + " of " + later);
          t += 120;
        }
      }
    }
    assertTrue(rises > 5, "load rises seen: " + rises);
  }

  @Test
  void powerFollowsUtilisationWithinTheBoardLimit() {
    FleetConfig config = FleetConfig.of(100).withMetrics(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.POWER_USAGE));
    Map<DcgmMetric, Series> s = seriesOf(config, 1200);
    double[] util = s.get(DcgmMetric.GPU_UTIL).flat();
    double[] power = s.get(DcgmMetric.POWER_USAGE).flat();

    assertTrue(correlation(util, power) > 0.9, "power follows load: " + correlation(util, power));
    for (double p : power) {
      assertTrue(p > 50 && p <= GpuModel.H100_SXM_80GB.powerLimitW(), "power " + p);
      assertEquals(p, Math.round(p * 1000) / 1000.0, 0, "three decimals: " + p);
    }
    assertTrue(new HashSet<>(java.util.Arrays.stream(power).boxed().toList()).size() > power.length / 2,
        "power is noisy like a real sensor");
  }

  @Test
  void memoryStaysWithinTheBoardAndChangesNowAndThen() {
    FleetConfig config = FleetConfig.of(100).withMetrics(List.of(DcgmMetric.FB_USED, DcgmMetric.FB_FREE));
    Map<DcgmMetric, Series> s = seriesOf(config, 3600);
    double[] used = s.get(DcgmMetric.FB_USED).flat();
    double[] free = s.get(DcgmMetric.FB_FREE).flat();

    for (int i = 0; i < used.length; i++) {
      assertTrue(used[i] >= 0 && used[i] <= 81_007 && used[i] == Math.rint(used[i]), "used " + used[i]);
      assertEquals(81_007, used[i] + free[i], "used + free is the usable memory");
    }
    double rate = changeRate(s.get(DcgmMetric.FB_USED));
    assertTrue(rate > 0.0005 && rate < 0.05, "memory changes now and then: " + rate);
  }

  @Test
  void clocksHoldWithRareChangesAndTheMemoryClockIsFixed() {
    FleetConfig config = FleetConfig.of(100).withMetrics(List.of(DcgmMetric.SM_CLOCK, DcgmMetric.MEM_CLOCK));
    Map<DcgmMetric, Series> s = seriesOf(config, 3600);

    double rate = changeRate(s.get(DcgmMetric.SM_CLOCK));
    assertTrue(rate > 0 && rate < 0.01, "SM clock change rate " + rate);
    for (double c : s.get(DcgmMetric.SM_CLOCK).flat()) {
      assertTrue(c >= 345 && c <= 1980, "SM clock " + c);
    }
    for (double c : s.get(DcgmMetric.MEM_CLOCK).flat()) {
      assertEquals(2619, c);
    }
  }

  @Test
  void xidErrorsAreRareAndRealCodes() {
    Series xid = series(FleetConfig.of(1000), DcgmMetric.XID_ERRORS, 3600);

    long nonZero = 0;
    for (double v : xid.flat()) {
      if (v != 0) {
        nonZero++;
        assertTrue(XID_CODES.contains(v), "XID code " + v);
      }
    }
    assertTrue(nonZero > 0, "some XID in 1000 GPU-hours");
    assertTrue(nonZero < xid.count() / 200, "XID errors are rare: " + nonZero + " of " + xid.count());
  }

  @Test
  void tickValuesReportsWhatTickReports() {
    FleetConfig config = FleetConfig.of(12).withMetrics(List.of(DcgmMetric.values()));
    List<Double> fromValues = new ArrayList<>();
    FleetSimulator fleet = FleetSimulator.of(config);
    for (int t = 0; t < 30; t++) {
      fleet.tickValues((gpu, metric, ts, value) -> fromValues.add(value));
    }

    assertEquals(values(run(config, 30)), fromValues);
  }

  @Test
  void countersOnlyGrow() {
    FleetConfig config = FleetConfig.of(50).withMetrics(
        List.of(DcgmMetric.TOTAL_ENERGY_CONSUMPTION, DcgmMetric.PCIE_REPLAY_COUNTER));
    for (Series s : seriesOf(config, 600).values()) {
      for (double[] g : s.byGpu) {
        for (int t = 1; t < g.length; t++) {
          assertTrue(g[t] >= g[t - 1], "counter went down");
        }
      }
    }
  }

  @Test
  void badConfigurationNamesTheSetting() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetConfig.of(0)).getMessage().contains("gpus"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetConfig.of(8).withGpusPerHost(0))
        .getMessage().contains("gpusPerHost"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetConfig.of(8).withMetrics(List.of()))
        .getMessage().contains("metrics"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetConfig.of(8).withHostPrefix("a\"b"))
        .getMessage().contains("hostPrefix"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DcgmMetric.parseList("gpu_util,nope"))
        .getMessage().contains("'nope'"));
    assertEquals(List.of(DcgmMetric.GPU_UTIL, DcgmMetric.XID_ERRORS),
        DcgmMetric.parseList("gpu_util, DCGM_FI_DEV_XID_ERRORS,gpu_util"));
    assertEquals(4, FleetConfig.of(10).withHosts(3).gpusPerHost());
  }

  // ------------------------------------------------------------------------------------------

  /** One metric's values, per GPU in fleet order, tick by tick. */
  record Series(double[][] byGpu) {
    long count() {
      return (long) byGpu.length * byGpu[0].length;
    }

    double[] flat() {
      double[] out = new double[(int) count()];
      int i = 0;
      for (double[] g : byGpu) {
        System.arraycopy(g, 0, out, i, g.length);
        i += g.length;
      }
      return out;
    }
  }

  private static Series series(FleetConfig config, DcgmMetric metric, int ticks) {
    return seriesOf(config.withMetrics(List.of(metric)), ticks).get(metric);
  }

  private static Map<DcgmMetric, Series> seriesOf(FleetConfig config, int ticks) {
    Map<DcgmMetric, Series> out = new HashMap<>();
    for (DcgmMetric m : config.metrics()) {
      out.put(m, new Series(new double[config.gpus()][ticks]));
    }
    FleetSimulator fleet = FleetSimulator.of(config);
    for (int t = 0; t < ticks; t++) {
      int tick = t;
      fleet.tickValues((gpu, metric, ts, value) -> out.get(metric).byGpu[gpu.fleetIndex()][tick] = value);
    }
    return out;
  }

  private static List<Sample> run(FleetConfig config, int ticks) {
    FleetSimulator fleet = FleetSimulator.of(config);
    List<Sample> out = new ArrayList<>();
    for (int t = 0; t < ticks; t++) {
      fleet.tick(out::add);
    }
    return out;
  }

  private static List<Double> values(List<Sample> samples) {
    return samples.stream().map(Sample::value).toList();
  }

  private static int fleetIndexOf(FleetConfig config, Gpu gpu) {
    int host = Integer.parseInt(gpu.hostname().substring(config.hostPrefix().length())) - 1;
    return host * config.gpusPerHost() + gpu.gpuIndex();
  }

  private static double changeRate(Series s) {
    long changes = 0;
    for (double[] g : s.byGpu) {
      for (int t = 1; t < g.length; t++) {
        if (g[t] != g[t - 1]) {
          changes++;
        }
      }
    }
    return (double) changes / s.count();
  }

  private static double max(double[] s, int from, int to) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      m = Math.max(m, s[i]);
    }
    return m;
  }

  private static double min(double[] s, int from, int to) {
    double m = Double.POSITIVE_INFINITY;
    for (int i = from; i < to; i++) {
      m = Math.min(m, s[i]);
    }
    return m;
  }

  private static double correlation(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double cov = 0;
    double va = 0;
    double vb = 0;
    for (int i = 0; i < a.length; i++) {
      cov += (a[i] - ma) * (b[i] - mb);
      va += (a[i] - ma) * (a[i] - ma);
      vb += (b[i] - mb) * (b[i] - mb);
    }
    return cov / Math.sqrt(va * vb);
  }
}
