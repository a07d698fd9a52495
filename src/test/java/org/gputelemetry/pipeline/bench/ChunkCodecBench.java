package org.gputelemetry.pipeline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gputelemetry.pipeline.simulate.DcgmMetric;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.gputelemetry.pipeline.simulate.FleetSimulator;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;
import org.gputelemetry.pipeline.store.chunk.ChunkColumns;
import org.gputelemetry.pipeline.store.chunk.DeflateFormat;

/**
 * The chunk codec on the simulator's series: each (GPU, metric) for one hour is one chunk, as the
 * PostgreSQL compactor cuts them. Three timestamp cases: the simulated 1 s clock, the same series
 * stamped as a processing-time streamer might (a timer on a fixed 1 s grid, each GPU at its own
 * phase, up to 1 ms of uniform jitter and one tick in 200 a 5-50 ms stall: a model, not a
 * measurement), a 10 s clock, and the 10 s clock in 6-hour chunks (what a longer chunk saves
 * in the codec's own headers). For each: bytes per
 * point of the Gorilla format and of the previous deflate format, encode and decode points per
 * CPU-second of this thread, medians of {@code --runs} after one warm-up run; then, for the
 * timestamps alone, bits per point of the alternatives the format was chosen among, and bytes
 * per point per metric. Usage: {@code scripts/bench.sh chunk-codec [--gpus 32 --runs 5]}.
 */
public final class ChunkCodecBench {

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static volatile long sink;

  private record Series(String metric, long[] ts, double[] values) {
  }

  private record Case(String name, List<Series> series) {
    long points() {
      return series.stream().mapToLong(s -> s.ts().length).sum();
    }
  }

  public static void main(String[] args) {
    int gpus = Integer.parseInt(BenchSupport.arg(args, "gpus", "32"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    List<Case> cases = List.of(
        new Case("1 s, simulated clock", simulate(gpus, Duration.ofSeconds(1), false, 1)),
        new Case("1 s, processing-time stamps", simulate(gpus, Duration.ofSeconds(1), true, 1)),
        new Case("10 s, simulated clock", simulate(gpus, Duration.ofSeconds(10), false, 1)),
        new Case("10 s, 6 h chunks", simulate(gpus, Duration.ofSeconds(10), false, 6)));
    System.out.printf("%d GPUs x %d metrics (all), one chunk per series and hour unless noted%n", gpus, DcgmMetric.values().length);
    for (Case c : cases) {
      measure(c, runs);
    }
    System.out.println();
    System.out.println("timestamps alone, bits/point: Gorilla buckets (Prometheus widths 14/17/20/64, us) | zig-zag"
        + " varint of delta of delta | this format's column (gcd unit, cheapest packed residual)");
    for (Case c : cases) {
      System.out.printf("  %-30s %6.2f | %6.2f | %6.2f%n", c.name(), TimestampAlternatives.gorillaBits(c.series()),
          TimestampAlternatives.varintBits(c.series()), TimestampAlternatives.chosenBits(c.series()));
    }
    System.out.println();
    System.out.println("bytes/point per metric, 1 s simulated clock: gorilla | deflate");
    Case first = cases.get(0);
    for (DcgmMetric m : DcgmMetric.values()) {
      long points = 0;
      long gorilla = 0;
      long deflate = 0;
      for (Series s : first.series()) {
        if (s.metric().equals(m.dcgmName())) {
          points += s.ts().length;
          gorilla += ChunkCodec.encode(s.ts(), s.values(), s.ts().length).length;
          deflate += DeflateFormat.encode(s.ts(), s.values(), s.ts().length).length;
        }
      }
      System.out.printf("  %-38s %6.3f | %6.3f%n", m.dcgmName(), gorilla / (double) points, deflate / (double) points);
    }
  }

  private static List<Series> simulate(int gpus, Duration interval, boolean processingTime, int hours) {
    FleetConfig config = FleetConfig.of(gpus).withMetrics(List.of(DcgmMetric.values())).withInterval(interval);
    FleetSimulator fleet = FleetSimulator.of(config);
    int metrics = DcgmMetric.values().length;
    int ticks = (int) (Duration.ofHours(hours).toMillis() / interval.toMillis());
    long[][] ts = new long[gpus * metrics][ticks];
    double[][] values = new double[gpus * metrics][ticks];
    Random random = new Random(1);
    long[] phase = new long[gpus];
    for (int g = 0; g < gpus; g++) {
      phase[g] = random.nextInt(1_000_000);
    }
    for (int t = 0; t < ticks; t++) {
      int tick = t;
      fleet.tickValues((gpu, metric, micros, value) -> {
        int s = gpu.fleetIndex() * metrics + metric.ordinal();
        ts[s][tick] = micros;
        values[s][tick] = value;
      });
      if (processingTime) {
        for (int g = 0; g < gpus; g++) {
          long stamp = ts[g * metrics][t] + phase[g] + random.nextInt(1000)
              + (random.nextInt(200) == 0 ? 5_000 + random.nextInt(45_000) : 0);
          for (int m = 0; m < metrics; m++) {
            ts[g * metrics + m][t] = stamp; // one stamp a tick, as the simulate source stamps it
          }
        }
      }
    }
    List<Series> series = new ArrayList<>();
    for (int s = 0; s < ts.length; s++) {
      series.add(new Series(DcgmMetric.values()[s % metrics].dcgmName(), ts[s], values[s]));
    }
    return series;
  }

  private static void measure(Case c, int runs) {
    long points = c.points();
    List<byte[]> gorilla = new ArrayList<>();
    List<byte[]> deflate = new ArrayList<>();
    for (Series s : c.series()) {
      gorilla.add(ChunkCodec.encode(s.ts(), s.values(), s.ts().length));
      deflate.add(DeflateFormat.encode(s.ts(), s.values(), s.ts().length));
    }
    double gorillaBytes = gorilla.stream().mapToLong(b -> b.length).sum() / (double) points;
    double deflateBytes = deflate.stream().mapToLong(b -> b.length).sum() / (double) points;
    List<Double> ge = new ArrayList<>();
    List<Double> gd = new ArrayList<>();
    List<Double> de = new ArrayList<>();
    List<Double> dd = new ArrayList<>();
    for (int run = 0; run <= runs; run++) {
      double[] rates = {encodeRate(c, points, false), decodeRate(gorilla, points), encodeRate(c, points, true),
          decodeRate(deflate, points)};
      if (run > 0) { // run 0 warms the JIT
        ge.add(rates[0]);
        gd.add(rates[1]);
        de.add(rates[2]);
        dd.add(rates[3]);
        System.out.printf("  run %d: gorilla encode %,.0f decode %,.0f; deflate encode %,.0f decode %,.0f points/CPU-s%n",
            run, rates[0], rates[1], rates[2], rates[3]);
      }
    }
    double gEnc = BenchSupport.median(ge);
    double gDec = BenchSupport.median(gd);
    double dEnc = BenchSupport.median(de);
    double dDec = BenchSupport.median(dd);
    System.out.printf("%s: %,d points in %,d chunks%n", c.name(), points, c.series().size());
    System.out.printf("  gorilla  %.3f B/point, encode %,.0f, decode %,.0f points/CPU-s (medians)%n", gorillaBytes, gEnc, gDec);
    System.out.printf("  deflate  %.3f B/point, encode %,.0f, decode %,.0f points/CPU-s (medians)%n", deflateBytes, dEnc, dDec);
    System.out.printf("  gorilla/deflate: bytes %.3f, encode speed %.2fx, decode speed %.2fx%n", gorillaBytes / deflateBytes,
        gEnc / dEnc, gDec / dDec);
  }

  private static double encodeRate(Case c, long points, boolean legacy) {
    long cpu0 = CPU.getCurrentThreadCpuTime();
    long bytes = 0;
    for (Series s : c.series()) {
      bytes += legacy ? DeflateFormat.encode(s.ts(), s.values(), s.ts().length).length
          : ChunkCodec.encode(s.ts(), s.values(), s.ts().length).length;
    }
    sink = bytes;
    return points / ((CPU.getCurrentThreadCpuTime() - cpu0) / 1e9);
  }

  private static double decodeRate(List<byte[]> chunks, long points) {
    long cpu0 = CPU.getCurrentThreadCpuTime();
    long sum = 0;
    for (byte[] b : chunks) {
      ChunkCodec.Points p = ChunkCodec.decode(b);
      sum += p.ts()[p.size() - 1] + Double.doubleToRawLongBits(p.values()[p.size() - 1]);
    }
    sink = sum;
    return points / ((CPU.getCurrentThreadCpuTime() - cpu0) / 1e9);
  }

  /** Bits a timestamp column costs under the encodings the format was chosen among. */
  private static final class TimestampAlternatives {

    /** Prometheus's XOR chunk timestamps: delta of delta in buckets 0 / 14 / 17 / 20 / 64 bits. */
    static double gorillaBits(List<Series> series) {
      long bits = 0;
      long points = 0;
      for (Series s : series) {
        long[] ts = s.ts();
        bits += 64 + 8L * varintBytes(zigzag(ts[1] - ts[0]));
        for (int i = 2; i < ts.length; i++) {
          long dod = (ts[i] - ts[i - 1]) - (ts[i - 1] - ts[i - 2]);
          bits += dod == 0 ? 1 : fits(dod, 14) ? 16 : fits(dod, 17) ? 20 : fits(dod, 20) ? 24 : 68;
        }
        points += ts.length;
      }
      return bits / (double) points;
    }

    /** Delta of delta, zig-zag, as byte varints. */
    static double varintBits(List<Series> series) {
      long bits = 0;
      long points = 0;
      for (Series s : series) {
        long[] ts = s.ts();
        bits += 64;
        long prev = 0;
        for (int i = 1; i < ts.length; i++) {
          long delta = ts[i] - ts[i - 1];
          bits += 8L * varintBytes(zigzag(delta - prev));
          prev = delta;
        }
        points += ts.length;
      }
      return bits / (double) points;
    }

    /** This format's timestamp column. */
    static double chosenBits(List<Series> series) {
      long bits = 0;
      long points = 0;
      for (Series s : series) {
        bits += ChunkColumns.timestampBits(s.ts(), s.ts().length);
        points += s.ts().length;
      }
      return bits / (double) points;
    }

    private static boolean fits(long v, int bits) {
      return v >= -(1L << (bits - 1)) + 1 && v <= (1L << (bits - 1));
    }

    private static long zigzag(long x) {
      return (x << 1) ^ (x >> 63);
    }

    private static int varintBytes(long v) {
      int n = 1;
      while ((v & ~0x7FL) != 0) {
        v >>>= 7;
        n++;
      }
      return n;
    }
  }
}
