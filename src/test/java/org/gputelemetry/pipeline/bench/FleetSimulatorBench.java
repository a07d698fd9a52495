package org.gputelemetry.pipeline.bench;

import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.simulate.DcgmCsvWriter;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.gputelemetry.pipeline.simulate.FleetSimulator;
import org.gputelemetry.pipeline.simulate.OpenMetricsWriter;

/**
 * The fleet simulator on one core: samples per second a {@code --gpus} fleet (default 10,000, 8 per
 * host, the bundled sample's 10 metrics) produces as {@code Sample}s (kept in a batch-sized array), as bare values, as CSV rows
 * and as OpenMetrics lines (both into a writer that discards the text, so the figure is the
 * formatting, not the disk). Medians of {@code --runs} rounds of {@code --seconds}, after
 * {@code --warmup} seconds of each. Usage:
 * {@code java -cp target/test-classes:target/classes org.gputelemetry.pipeline.bench.FleetSimulatorBench [--gpus 10000 --runs 5 --seconds 3 --warmup 3]}.
 */
public final class FleetSimulatorBench {

  private static volatile double sink;

  public static void main(String[] args) {
    int gpus = Integer.parseInt(BenchSupport.arg(args, "gpus", "10000"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "3"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "3"));
    FleetConfig config = FleetConfig.of(gpus);
    System.out.printf("fleet: %,d GPUs on %,d hosts x %d metrics = %,d samples per tick%n",
        gpus, config.hosts(), config.metrics().size(), config.samplesPerTick());

    FleetSimulator samples = FleetSimulator.of(config);
    double[] sum = new double[1];
    // kept in a batch-sized array, as a streamer fills its batches, so the samples really are allocated
    Sample[] batch = new Sample[(int) samples.samplesPerTick()];
    int[] next = new int[1];
    double sampleRate = measure("Sample objects", runs, seconds, warmup, () -> {
      next[0] = 0;
      samples.tick(s -> batch[next[0]++] = s);
      sink = batch[batch.length - 1].value();
      return samples.samplesPerTick();
    });
    FleetSimulator values = FleetSimulator.of(config);
    double valueRate = measure("bare values", runs, seconds, warmup, () -> {
      values.tickValues((gpu, metric, ts, value) -> sum[0] += value);
      sink = sum[0];
      return values.samplesPerTick();
    });
    CountingWriter csvOut = new CountingWriter();
    DcgmCsvWriter csv = new DcgmCsvWriter(csvOut);
    FleetSimulator csvFleet = FleetSimulator.of(config);
    double csvRate = measure("CSV rows", runs, seconds, warmup, () -> {
      csvFleet.tickValues(csv);
      return csvFleet.samplesPerTick();
    });
    CountingWriter omOut = new CountingWriter();
    FleetConfig slice = FleetConfig.of(Math.min(gpus, 100));
    double omRate = measure("OpenMetrics lines", runs, seconds, warmup,
        () -> OpenMetricsWriter.write(slice, 1000, omOut));

    System.out.printf("Sample objects:    median %,.0f samples/s%n", sampleRate);
    System.out.printf("bare values:       median %,.0f samples/s%n", valueRate);
    System.out.printf("CSV rows:          median %,.0f rows/s (%.0f bytes/row)%n", csvRate,
        (double) csvOut.chars / csvFleet.ticks() / csvFleet.samplesPerTick());
    System.out.printf("OpenMetrics lines: median %,.0f lines/s (100-GPU slices of 1000 s)%n", omRate);
    System.out.printf("one core; a %,d-GPU fleet at 1 Hz needs %.1f%% of it for its Samples%n",
        gpus, 100.0 * config.samplesPerTick() / sampleRate);
  }

  private static double measure(String name, int runs, int seconds, int warmup, LongSupplier round) {
    round(round, warmup);
    List<Double> rates = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double rate = round(round, seconds);
      rates.add(rate);
      System.out.printf("%s run %d: %,.0f per second%n", name, run, rate);
    }
    return BenchSupport.median(rates);
  }

  private static double round(LongSupplier round, int seconds) {
    long t0 = System.nanoTime();
    long end = t0 + seconds * 1_000_000_000L;
    long n = 0;
    do {
      n += round.getAsLong();
    } while (System.nanoTime() < end);
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /** Discards the text, counting its characters. */
  private static final class CountingWriter extends Writer {
    long chars;

    @Override
    public void write(char[] buf, int off, int len) {
      chars += len;
    }

    @Override
    public void write(String str) {
      chars += str.length();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
