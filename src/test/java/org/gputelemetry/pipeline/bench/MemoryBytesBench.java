package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.gputelemetry.pipeline.config.ByteSizes;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.simulate.DcgmMetric;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.gputelemetry.pipeline.simulate.FleetSimulator;
import org.gputelemetry.pipeline.simulate.SimulatedGpu;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;

/**
 * What the memory store holds in a heap: {@code --hours} (default 24) of a simulated fleet of the
 * bundled sample's shape ({@code --gpus} 247 on {@code --hosts} 31, its 10 metrics, 1 Hz) written
 * straight into the store in batches of {@code --batch} (5,000, the collector's), one thread. Prints
 * the samples/s loaded (simulation included), samples kept and evicted, heap bytes per sample after
 * a full GC (heap used after loading minus before, over the samples kept) beside the store's own
 * accounting, then {@code --runs} rounds of {@code --queries} queries each: one GPU's one metric
 * over the last 24 hours at step=5m, and the latest of one metric across all GPUs, p50/p99 per
 * round and their medians. {@code --max-bytes} is the store's bound (default {@code 60%} of the heap,
 * the store's default). {@code --stamps simulated} (the default) stamps every tick on the exact 1 s
 * grid; {@code --stamps processing} as a processing-time streamer might (the model of
 * {@link ChunkCodecBench}: each GPU at its own phase, up to 1 ms of jitter, one tick in 200 a
 * 5-50 ms stall; one stamp per GPU and tick). Run in {@code -Xmx1g} ({@code scripts/bench.sh memory-bytes}).
 */
public final class MemoryBytesBench {

  private static final String METRIC = DcgmMetric.POWER_USAGE.dcgmName();

  public static void main(String[] args) {
    double hours = Double.parseDouble(BenchSupport.arg(args, "hours", "24"));
    int gpus = Integer.parseInt(BenchSupport.arg(args, "gpus", "247"));
    int hosts = Integer.parseInt(BenchSupport.arg(args, "hosts", "31"));
    int batchSize = Integer.parseInt(BenchSupport.arg(args, "batch", "5000"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "3"));
    int queries = Integer.parseInt(BenchSupport.arg(args, "queries", "200"));
    long maxHeap = Runtime.getRuntime().maxMemory();
    long maxBytes = ByteSizes.parse("--max-bytes", BenchSupport.arg(args, "max-bytes", "60%"), maxHeap);
    FleetConfig config = FleetConfig.of(gpus).withHosts(hosts);
    long ticks = Math.round(hours * 3600 / (config.intervalMicros() / 1e6));
    System.out.printf("fleet: %,d GPUs on %,d hosts x %d metrics at 1 Hz for %.1f h = %,d samples; max heap %,d MiB, store.maxBytes %,d MiB%n",
        gpus, config.hosts(), config.metrics().size(), hours, ticks * config.samplesPerTick(), maxHeap >> 20, maxBytes >> 20);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long heapBefore = heapAfterGc(memory);
    MemoryTelemetryStore store = new MemoryTelemetryStore(maxBytes, 0);
    FleetSimulator fleet = FleetSimulator.of(config);
    boolean processing = BenchSupport.arg(args, "stamps", "simulated").equals("processing");
    long loaded = load(store, fleet, ticks, batchSize, processing ? new ProcessingStamps(fleet) : null);
    long heapAfter = heapAfterGc(memory);
    long kept = store.samples();
    System.out.printf("kept %,d samples, evicted %,d; heap %,d MiB after GC (%,d MiB before loading): %.2f heap bytes/sample; "
            + "store accounts %,d MiB, %.2f bytes/sample (accounted / heap = %.2f)%n",
        kept, store.evictedSamples(), heapAfter >> 20, heapBefore >> 20, (heapAfter - heapBefore) / (double) kept,
        store.bytes() >> 20, store.bytes() / (double) kept, store.bytes() / (double) (heapAfter - heapBefore));

    long end = fleet.nextTimestampMicros() - config.intervalMicros();
    List<String> uuids = fleet.gpus().stream().map(g -> g.gpu().uuid()).toList();
    Random random = new Random(1);
    List<Double> bucketP50 = new ArrayList<>();
    List<Double> bucketP99 = new ArrayList<>();
    List<Double> latestP50 = new ArrayList<>();
    List<Double> latestP99 = new ArrayList<>();
    for (int run = 0; run <= runs; run++) { // round 0 warms up
      double[] b = time(queries, () -> await(store.buckets(new BucketQuery(uuids.get(random.nextInt(uuids.size())),
          end - 24 * 3_600_000_000L, end, METRIC, 300_000_000L, Aggregation.AVG))).size());
      double[] l = time(queries, () -> await(store.latestOf(METRIC, null)).size());
      if (run > 0) {
        System.out.printf("queries run %d: one GPU, %s, 24 h at step=5m p50 %.3f ms p99 %.3f ms; latest of %s, all GPUs p50 %.3f ms p99 %.3f ms%n",
            run, METRIC, b[0], b[1], METRIC, l[0], l[1]);
        bucketP50.add(b[0]);
        bucketP99.add(b[1]);
        latestP50.add(l[0]);
        latestP99.add(l[1]);
      }
    }
    System.out.printf("median: loaded %,.0f samples/s; %.2f heap bytes/sample; 24 h step=5m p50 %.3f ms p99 %.3f ms; "
            + "latest all GPUs p50 %.3f ms p99 %.3f ms; peak RSS %,d MiB%n",
        loaded / 1.0, (heapAfter - heapBefore) / (double) kept, BenchSupport.median(bucketP50),
        BenchSupport.median(bucketP99), BenchSupport.median(latestP50), BenchSupport.median(latestP99),
        BenchSupport.peakRssMiB());
  }

  /** Processing-time stamps: per GPU a fixed phase, per tick jitter and now and then a stall. */
  private static final class ProcessingStamps {
    private final Random random = new Random(1);
    private final java.util.Map<String, Integer> index = new java.util.HashMap<>();
    private final long[] phase;
    private final long[] stamp;

    ProcessingStamps(FleetSimulator fleet) {
      phase = new long[fleet.gpus().size()];
      stamp = new long[phase.length];
      for (int g = 0; g < phase.length; g++) {
        index.put(fleet.gpus().get(g).gpu().uuid(), g);
        phase[g] = random.nextInt(1_000_000);
      }
    }

    void nextTick() {
      for (int g = 0; g < stamp.length; g++) {
        stamp[g] = phase[g] + random.nextInt(1000) + (random.nextInt(200) == 0 ? 5_000 + random.nextInt(45_000) : 0);
      }
    }

    Sample restamp(Sample s) {
      return s.withTimestamp(s.timestampMicros() + stamp[index.get(s.gpu().uuid())]);
    }
  }

  /** Loads {@code ticks} ticks of the fleet, restamped by {@code stamps} unless null; returns samples per second. */
  private static long load(MemoryTelemetryStore store, FleetSimulator fleet, long ticks, int batchSize,
                           ProcessingStamps stamps) {
    List<Sample> batch = new ArrayList<>(batchSize);
    long t0 = System.nanoTime();
    long written = 0;
    long hourTicks = 3600;
    for (long t = 1; t <= ticks; t++) {
      if (stamps != null) {
        stamps.nextTick();
      }
      fleet.tick(s -> {
        batch.add(stamps == null ? s : stamps.restamp(s));
        if (batch.size() == batchSize) {
          await(store.write(batch));
          batch.clear();
        }
      });
      if (t % hourTicks == 0 || t == ticks) {
        await(store.write(batch));
        written = t * fleet.samplesPerTick();
        batch.clear();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  %5.1f h simulated: %,d samples written in %.1f s (%,.0f samples/s), store %,d MiB, %.2f bytes/sample, evicted %,d%n",
            t / 3600.0, written, s, written / s, store.bytes() >> 20, store.bytes() / (double) store.samples(),
            store.evictedSamples());
      }
    }
    return Math.round(written / ((System.nanoTime() - t0) / 1e9));
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** p50 and p99 in milliseconds of {@code n} runs of {@code query}. */
  private static double[] time(int n, java.util.function.IntSupplier query) {
    double[] ms = new double[n];
    int sink = 0;
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      sink += query.getAsInt();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    if (sink < 0) {
      throw new AssertionError(); // keeps the answers alive
    }
    Arrays.sort(ms);
    return new double[] {ms[n / 2], ms[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]};
  }
}
