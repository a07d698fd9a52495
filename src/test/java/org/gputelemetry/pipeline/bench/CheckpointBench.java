package org.gputelemetry.pipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.checkpoint.CheckpointFile;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;

/**
 * The embedded store's checkpoint: a memory store filled with {@code --gpus} GPUs reporting
 * {@code --metrics} DCGM-like fields (integers such as utilisation and temperature, decimals such as
 * power, counters such as energy; one XID series with a label set per GPU) once a second for
 * {@code --points} seconds, checkpointed to a file under {@code --dir} (default the temp directory)
 * and restored into a fresh store, {@code --runs} times. Prints the median seconds to write and to
 * restore (restore includes the checksum pass), the file's bytes and bytes per sample. The checkpoint
 * goes through the store's public API and {@code ChunkCodec}, so a faster store or codec shows here.
 * Usage: {@code scripts/bench.sh checkpoint [--gpus 1000 --metrics 10 --points 600 --runs 3 --dir /tmp]}.
 */
public final class CheckpointBench {

  public static void main(String[] args) throws Exception {
    int gpus = Integer.parseInt(BenchSupport.arg(args, "gpus", "1000"));
    int metrics = Integer.parseInt(BenchSupport.arg(args, "metrics", "10"));
    int points = Integer.parseInt(BenchSupport.arg(args, "points", "600"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "3"));
    Path dir = Files.createTempDirectory(Path.of(BenchSupport.arg(args, "dir", System.getProperty("java.io.tmpdir"))),
        "checkpoint-bench");
    Path file = dir.resolve("checkpoint");

    MemoryTelemetryStore source = new MemoryTelemetryStore(metrics * points + points);
    long samples = fill(source, gpus, metrics, points);
    System.out.printf("store: %,d GPUs x %d metrics x %d points + 1 XID series each = %,d samples%n", gpus, metrics, points, samples);

    List<Double> writes = new ArrayList<>();
    List<Double> restores = new ArrayList<>();
    CheckpointFile.Stats stats = null;
    for (int run = 0; run <= runs; run++) { // run 0 warms up
      long t0 = System.nanoTime();
      stats = CheckpointFile.write(source, file);
      double write = (System.nanoTime() - t0) / 1e9;
      MemoryTelemetryStore target = new MemoryTelemetryStore(metrics * points + points);
      long t1 = System.nanoTime();
      CheckpointFile.Stats restored = CheckpointFile.restore(target, file);
      double restore = (System.nanoTime() - t1) / 1e9;
      if (restored.samples() != samples || stats.samples() != samples) {
        throw new IllegalStateException("wrote " + stats.samples() + ", restored " + restored.samples() + " of " + samples);
      }
      if (run > 0) {
        writes.add(write);
        restores.add(restore);
        System.out.printf("run %d: write %.2f s, restore %.2f s%n", run, write, restore);
      }
    }
    System.out.printf("checkpoint: %,d samples, median write %.2f s (%,.0f samples/s), median restore %.2f s (%,.0f samples/s),"
            + " %,d bytes = %.2f bytes/sample (%d runs)%n", samples, BenchSupport.median(writes), samples / BenchSupport.median(writes),
        BenchSupport.median(restores), samples / BenchSupport.median(restores), stats.bytes(), (double) stats.bytes() / samples, runs);
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
  }

  private static long fill(MemoryTelemetryStore store, int gpus, int metrics, int points) {
    SplittableRandom random = new SplittableRandom(1);
    long t0 = 1_752_871_354_000_000L;
    long samples = 0;
    for (int g = 0; g < gpus; g++) {
      Gpu gpu = new Gpu(String.format("GPU-%08x-0000-4000-8000-%012d", g, g), g % 8, "nvidia" + (g % 8),
          "NVIDIA H100 80GB HBM3", "host-" + (g / 8));
      List<Sample> batch = new ArrayList<>(metrics * points + points);
      double[] state = new double[metrics];
      for (int p = 0; p < points; p++) {
        long t = t0 + p * 1_000_000L + random.nextInt(2_000); // scrape jitter, as real timestamps have
        for (int m = 0; m < metrics; m++) {
          double v;
          switch (m % 3) {
            case 0 -> v = state[m] = Math.max(0, Math.min(100, Math.round(state[m] + random.nextInt(-3, 4)))); // util, temp
            case 1 -> v = state[m] = Math.round((250 + random.nextDouble() * 100) * 1000) / 1000.0;             // power, W
            default -> v = state[m] += random.nextInt(100, 400);                                                  // energy counter
          }
          batch.add(new Sample(gpu, "DCGM_FIELD_" + m, t, v, null, null, null));
        }
        batch.add(new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", t, 0, null, null, null, Labels.of("err_code", "0")));
      }
      store.write(batch);
      samples += batch.size();
    }
    return samples;
  }
}
