package org.gputelemetry.pipeline.streamer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.simulate.DcgmMetric;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.gputelemetry.pipeline.streamer.GpuPartitioner;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.jctools.queues.MpscArrayQueue;
import org.junit.jupiter.api.Test;

class SimulatedFleetSourceTest {

  private static final FleetConfig FLEET = FleetConfig.of(40).withHosts(5).withMetrics(DcgmMetric.SAMPLE_SET)
      .withInterval(Duration.ofMillis(20));
  private final PipelineMetrics metrics = TestMetrics.create();

  @Test
  void eachTickReportsEveryMetricOfEveryGpuOnceStampedNow() {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
    SimulatedFleetSource source = started(FLEET, ring, uuid -> true);
    long before = System.currentTimeMillis() * 1000;
    source.tick();
    List<Sample> tick = drain(ring);
    assertEquals(40 * DcgmMetric.SAMPLE_SET.size(), tick.size());
    Set<String> series = new HashSet<>();
    tick.forEach(s -> series.add(s.gpu().uuid() + " " + s.metric()));
    assertEquals(tick.size(), series.size(), "one sample per GPU and metric");
    assertEquals(40, tick.stream().map(s -> s.gpu().uuid()).distinct().count());
    assertEquals(5, tick.stream().map(s -> s.gpu().hostname()).distinct().count());
    long after = System.currentTimeMillis() * 1000 + 1000;
    tick.forEach(s -> assertTrue(s.timestampMicros() >= before - 1000 && s.timestampMicros() <= after, "processing-time stamp"));
    assertEquals(tick.size(), source.emitted());
    assertFalse(source.finite());
    assertFalse(source.exhausted());
  }

  @Test
  void valuesMoveFromTickToTick() {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
    SimulatedFleetSource source = started(FleetConfig.of(8).withMetrics(List.of(DcgmMetric.GPU_UTIL)), ring, uuid -> true);
    Map<String, Set<Double>> seen = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      source.tick();
      drain(ring).forEach(s -> seen.computeIfAbsent(s.gpu().uuid(), k -> new HashSet<>()).add(s.value()));
    }
    assertEquals(8, seen.size());
    // an idle GPU may sit at 0% for a while, as real ones do; the fleet as a whole must move
    long moving = seen.values().stream().filter(values -> values.size() > 1).count();
    assertTrue(moving >= 4, "only " + moving + " of 8 GPUs changed utilisation in 30 ticks: " + seen);
  }

  @Test
  void twoDisjointSharesTogetherReportTheWholeFleetOnce() {
    List<Sample> all = new ArrayList<>();
    for (int index = 0; index < 2; index++) {
      Assignment share = new Assignment(index, 2);
      MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
      SimulatedFleetSource source = started(FLEET, ring, uuid -> GpuPartitioner.owns(share, uuid));
      source.tick();
      List<Sample> mine = drain(ring);
      assertTrue(mine.size() > 0 && mine.size() < 40 * 10, "share " + index + " reported " + mine.size());
      mine.forEach(s -> assertTrue(GpuPartitioner.owns(share, s.gpu().uuid())));
      all.addAll(mine);
    }
    assertEquals(40 * 10, all.size());
    assertEquals(40 * 10, all.stream().map(s -> s.gpu().uuid() + " " + s.metric()).distinct().count());
  }

  @Test
  void aChangedShareTakesEffectAtTheNextTick() {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
    AtomicReference<Predicate<String>> share = new AtomicReference<>(uuid -> true);
    SimulatedFleetSource source = new SimulatedFleetSource(FLEET);
    source.bind(new TelemetrySource.Context(null, ring, share::get, metrics));
    source.tick();
    assertEquals(400, drain(ring).size());
    Assignment half = new Assignment(1, 2);
    share.set(uuid -> GpuPartitioner.owns(half, uuid));
    source.tick();
    drain(ring).forEach(s -> assertTrue(GpuPartitioner.owns(half, s.gpu().uuid())));
  }

  @Test
  void aFullRingMakesItWaitLosingNothingAndTheTicksItFellBehindAreSkippedAndCounted() throws Exception {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(64); // smaller than one tick (400 samples)
    SimulatedFleetSource source = new SimulatedFleetSource(FLEET);
    source.start(new TelemetrySource.Context(null, ring, () -> uuid -> true, metrics));
    try {
      long deadline = System.currentTimeMillis() + 5_000;
      while (ring.size() < ring.capacity() && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(200); // ten intervals with the ring full
      assertEquals(ring.capacity(), ring.size());
      assertEquals(0, source.status().getLong("ticks"), "waits on the full ring: the first tick is not done");
      List<Sample> got = new ArrayList<>();
      deadline = System.currentTimeMillis() + 5_000;
      while (source.status().getLong("ticks") < 3 && System.currentTimeMillis() < deadline) {
        ring.drain(got::add);
        Thread.sleep(1);
      }
      Thread.sleep(20);
      ring.drain(got::add);
      source.stop();
      source.await(2_000);
      ring.drain(got::add);
      assertTrue(source.status().getLong("ticksSkipped") >= 5, source.status().encode());
      assertEquals((double) source.status().getLong("ticksSkipped"), metrics.sourceTicksSkipped.count());
      // every sample produced reached the ring: whole ticks, bar the one cut short by stop()
      assertEquals(source.emitted(), got.size());
      long ticks = source.status().getLong("ticks");
      assertTrue(got.size() >= (ticks - 1) * 400, got.size() + " samples in " + ticks + " ticks");
    } finally {
      source.stop();
    }
  }

  private SimulatedFleetSource started(FleetConfig config, MpscArrayQueue<Sample> ring, Predicate<String> owns) {
    SimulatedFleetSource source = new SimulatedFleetSource(config);
    source.bind(new TelemetrySource.Context(null, ring, () -> owns, metrics)); // no thread: the test ticks
    return source;
  }

  private static List<Sample> drain(MpscArrayQueue<Sample> ring) {
    List<Sample> out = new ArrayList<>();
    ring.drain(out::add);
    return out;
  }
}
