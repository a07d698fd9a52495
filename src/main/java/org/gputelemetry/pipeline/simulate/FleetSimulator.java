package org.gputelemetry.pipeline.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;

/**
 * A seeded, realistic DCGM fleet (see {@link GpuSimulator} for how the values move). Each
 * {@link #tick} advances every GPU by one interval and reports one value of each configured metric
 * per GPU, GPU by GPU in fleet order and, within a GPU, in the configured metric order.
 *
 * <p><b>Deterministic.</b> The same {@link FleetConfig} gives the same identities and values,
 * tick for tick. A GPU's series depends only on the seed, its fleet index and the interval, so a
 * simulator over a fixed subset of the fleet ({@link #of(FleetConfig, IntPredicate)}) reports
 * exactly what the whole fleet's simulator reports for those GPUs; a share that changes while
 * running (a streamer's, by membership) is {@link #tick(long, Predicate, Consumer)}.
 *
 * <p><b>Cost.</b> Per tick, one state update per GPU and, through {@link #tick(long, Consumer)},
 * one {@link Sample} per value (identities and metric names are shared, not copied);
 * {@link #tickValues} allocates nothing.
 *
 * <p>Not thread-safe: one thread ticks a simulator.
 */
public final class FleetSimulator {

  /** Receives values without a {@link Sample} being built (writers, benchmarks). */
  @FunctionalInterface
  public interface ValueSink {
    void accept(SimulatedGpu gpu, DcgmMetric metric, long timestampMicros, double value);
  }

  private final FleetConfig config;
  private final SimulatedGpu[] gpus;
  private final GpuSimulator[] states;
  private final DcgmMetric[] metrics;
  private final String[] metricNames;
  private long ticks;

  private FleetSimulator(FleetConfig config, IntPredicate include) {
    this.config = config;
    List<SimulatedGpu> chosen = new ArrayList<>();
    for (int i = 0; i < config.gpus(); i++) {
      if (include.test(i)) {
        chosen.add(SimulatedGpu.of(config, i));
      }
    }
    this.gpus = chosen.toArray(SimulatedGpu[]::new);
    this.states = new GpuSimulator[gpus.length];
    for (int i = 0; i < gpus.length; i++) {
      states[i] = new GpuSimulator(config, gpus[i].fleetIndex());
    }
    this.metrics = config.metrics().toArray(DcgmMetric[]::new);
    this.metricNames = new String[metrics.length];
    for (int m = 0; m < metrics.length; m++) {
      metricNames[m] = metrics[m].dcgmName();
    }
  }

  /** The whole fleet. */
  public static FleetSimulator of(FleetConfig config) {
    return new FleetSimulator(Objects.requireNonNull(config, "config"), i -> true);
  }

  /** The GPUs of the fleet whose fleet index {@code include} accepts, with the values they have in the whole fleet. */
  public static FleetSimulator of(FleetConfig config, IntPredicate include) {
    return new FleetSimulator(Objects.requireNonNull(config, "config"), Objects.requireNonNull(include, "include"));
  }

  public FleetConfig config() {
    return config;
  }

  /** The simulated GPUs, in fleet order. */
  public List<SimulatedGpu> gpus() {
    return List.of(gpus);
  }

  /** Ticks so far. */
  public long ticks() {
    return ticks;
  }

  /** The simulated clock's time of the next tick: the configured start plus one interval per tick so far. */
  public long nextTimestampMicros() {
    return config.startMicros() + ticks * config.intervalMicros();
  }

  /** Samples one tick reports. */
  public long samplesPerTick() {
    return (long) gpus.length * metrics.length;
  }

  /** One tick stamped with the simulated clock ({@link #nextTimestampMicros()}). */
  public void tick(Consumer<Sample> out) {
    tick(nextTimestampMicros(), out);
  }

  /**
   * One tick stamped {@code timestampMicros} (processing time, for a live source): every GPU
   * advances one interval whatever the stamp, so the values do not depend on the wall clock.
   */
  public void tick(long timestampMicros, Consumer<Sample> out) {
    for (int g = 0; g < gpus.length; g++) {
      GpuSimulator state = states[g];
      state.step();
      for (int m = 0; m < metrics.length; m++) {
        out.accept(new Sample(gpus[g].gpu(), metricNames[m], timestampMicros, state.value(metrics[m]),
            null, null, null));
      }
    }
    ticks++;
  }

  /**
   * One tick that reports only the GPUs {@code owned} accepts, while every GPU advances: a
   * streamer whose share of the fleet changes with the membership keeps each GPU's series
   * continuous, and streamers with disjoint shares together report exactly the whole fleet.
   */
  public void tick(long timestampMicros, Predicate<Gpu> owned, Consumer<Sample> out) {
    for (int g = 0; g < gpus.length; g++) {
      GpuSimulator state = states[g];
      state.step();
      Gpu gpu = gpus[g].gpu();
      if (owned.test(gpu)) {
        for (int m = 0; m < metrics.length; m++) {
          out.accept(new Sample(gpu, metricNames[m], timestampMicros, state.value(metrics[m]), null, null, null));
        }
      }
    }
    ticks++;
  }

  /** {@link #tick(long, Consumer)} without building samples. */
  public void tickValues(long timestampMicros, ValueSink out) {
    for (int g = 0; g < gpus.length; g++) {
      GpuSimulator state = states[g];
      state.step();
      for (int m = 0; m < metrics.length; m++) {
        out.accept(gpus[g], metrics[m], timestampMicros, state.value(metrics[m]));
      }
    }
    ticks++;
  }

  /** {@link #tickValues(long, ValueSink)} on the simulated clock. */
  public void tickValues(ValueSink out) {
    tickValues(nextTimestampMicros(), out);
  }
}
