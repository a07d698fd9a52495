package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.Vertx;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;
import org.gputelemetry.pipeline.store.chunk.DeflateFormat;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;

/**
 * Bytes per sample on PostgreSQL after compaction against Prometheus' TSDB on the same samples:
 * a fleet of GPUs reporting DCGM-like gauges every 10 s (integers for utilisation and clocks,
 * slowly drifting temperatures and power), written through the store, compacted, measured as the
 * sum of pg_total_relation_size of samples' and sample_chunks' partitions; the same samples as
 * OpenMetrics through {@code promtool tsdb create-blocks-from openmetrics}, measured on disk. Also
 * splits the compacted bytes into chunk data and the rest (rows, indexes, pages), and re-encodes
 * the stored chunks in the previous deflate format for a same-run comparison of the codecs.
 * Args: gpus (default 64), hours (default 6), seconds between samples (default 10; 1 fills the
 * chunks' 5-minute slots, which chunks of fewer than 1,200 samples do not keep).
 */
public final class PostgresBytesBench {

  private static long STEP; // microseconds between samples, set from the arguments

  private static final String[] METRICS = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_GPU_TEMP",
      "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_FB_USED"};

  public static void main(String[] args) throws Exception {
    int gpus = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int hours = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    STEP = (args.length > 2 ? Long.parseLong(args[2]) : 10) * 1_000_000L;
    long t0 = Timestamps.parseMicros("2025-07-18T00:00:00Z");
    int perSeries = (int) (hours * 3_600_000_000L / STEP);
    Random random = new Random(42);
    double[][][] values = new double[gpus][METRICS.length][perSeries];
    for (int g = 0; g < gpus; g++) {
      double temp = 40 + random.nextInt(20);
      double power = 200 + random.nextInt(200);
      for (int i = 0; i < perSeries; i++) {
        temp = Math.max(30, Math.min(90, temp + random.nextInt(3) - 1));
        power = Math.round((power + random.nextGaussian() * 5) * 1000) / 1000.0;
        values[g][0][i] = random.nextInt(101);
        values[g][1][i] = random.nextInt(60);
        values[g][2][i] = temp;
        values[g][3][i] = power;
        values[g][4][i] = i % 30 == 0 ? 1410 : 1980;
        values[g][5][i] = 20_000 + (i / 60) * 16;
      }
    }
    long total = (long) gpus * METRICS.length * perSeries;
    Vertx vertx = Vertx.vertx();
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    String db = server.createDatabase("bytes");
    PostgresTelemetryStore store = new PostgresTelemetryStore(vertx, server.settings(db,
        PostgresCompactedStoreIT.COMPACT_AT_ONCE));
    await(store.start());
    for (int i = 0; i < perSeries; i += 10) {
      List<Sample> batch = new ArrayList<>();
      for (int g = 0; g < gpus; g++) {
        Gpu gpu = new Gpu("GPU-" + g, g % 8, "nvidia" + (g % 8), "NVIDIA H100 80GB HBM3", "host-" + g / 8);
        for (int j = i; j < Math.min(perSeries, i + 10); j++) {
          for (int m = 0; m < METRICS.length; m++) {
            batch.add(new Sample(gpu, METRICS[m], t0 + j * STEP, values[g][m][j], null, null, null));
          }
        }
      }
      await(store.write(batch));
    }
    String size = "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent IN ('samples'::regclass, 'sample_chunks'::regclass)";
    server.execute(db, "VACUUM ANALYZE");
    long raw = query(server, db, size);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    Compactor.Outcome o = await(store.compact());
    long wall = System.nanoTime() - wall0;
    long cpu = os.getProcessCpuTime() - cpu0;
    server.execute(db, "VACUUM FULL samples");
    server.execute(db, "VACUUM ANALYZE");
    long compacted = query(server, db, size);
    long[] data = chunkData(server, db);
    long empty = emptyPartitions(server, db);
    await(store.close());
    await(vertx.close());

    Path dir = Files.createTempDirectory("promtool-bench");
    Path om = dir.resolve("samples.om");
    try (BufferedWriter w = Files.newBufferedWriter(om)) {
      for (int m = 0; m < METRICS.length; m++) {
        w.write("# TYPE " + METRICS[m] + " gauge\n");
        for (int g = 0; g < gpus; g++) {
          String series = METRICS[m] + "{gpu=\"" + (g % 8) + "\",UUID=\"GPU-" + g + "\",Hostname=\"host-" + g / 8 + "\"} ";
          for (int i = 0; i < perSeries; i++) {
            w.write(series + String.format(Locale.ROOT, "%s %d", repr(values[g][m][i]), (t0 + i * STEP) / 1_000_000L)
                + "\n");
          }
        }
      }
      w.write("# EOF\n");
    }
    Path blocks = dir.resolve("data");
    Process p = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics", om.toString(),
        blocks.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("promtool.log").toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("promtool failed: " + Files.readString(dir.resolve("promtool.log")));
    }
    long prom;
    try (Stream<Path> files = Files.walk(blocks)) {
      prom = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    System.out.printf(Locale.ROOT, "samples %d (%d GPUs x %d metrics x %d h at %d s), %d chunks%n", total, gpus,
        METRICS.length, hours, STEP / 1_000_000L, o.ranges());
    System.out.printf(Locale.ROOT, "postgres raw        %.2f B/sample%n", raw / (double) total);
    System.out.printf(Locale.ROOT, "postgres compacted  %.2f B/sample%n", compacted / (double) total);
    System.out.printf(Locale.ROOT, "  of which chunk data %.3f B/sample (the same points in the previous deflate format:"
        + " %.3f B/sample)%n", data[0] / (double) total, data[1] / (double) total);
    System.out.printf(Locale.ROOT, "  of which partitions holding no row (days ahead, emptied raw days) %.3f B/sample%n",
        empty / (double) total);
    System.out.printf(Locale.ROOT, "  of which chunk rows' other columns, headers, index and free space %.3f B/sample"
        + " (%.0f bytes a chunk)%n", (compacted - data[0] - empty) / (double) total,
        (compacted - data[0] - empty) / (double) o.ranges());
    System.out.printf(Locale.ROOT, "prometheus tsdb     %.2f B/sample%n", prom / (double) total);
    System.out.printf(Locale.ROOT, "ratio compacted/prometheus %.2f%n", compacted / (double) prom);
    System.out.printf(Locale.ROOT, "compaction: %.1f s wall, %.2f s JVM CPU per million samples (PostgreSQL's own CPU"
        + " not included)%n", wall / 1e9, cpu / 1e9 / (total / 1e6));
    server.dropDatabase(db);
    System.exit(0);
  }

  private static String repr(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Bytes of the chunks' data column as stored, and the same points re-encoded in the previous deflate format. */
  private static long[] chunkData(EmbeddedPostgresServer server, String db) throws Exception {
    long[] bytes = new long[2];
    try (var c = server.connect(db); var st = c.createStatement(); var r = st.executeQuery("SELECT data FROM sample_chunks")) {
      while (r.next()) {
        byte[] chunk = r.getBytes(1);
        ChunkCodec.Points p = ChunkCodec.decode(chunk);
        bytes[0] += chunk.length;
        bytes[1] += DeflateFormat.encode(p.ts(), p.values(), p.size()).length;
      }
    }
    return bytes;
  }

  /** Bytes of the partitions (with their indexes and TOAST tables) that hold no row: fixed pages. */
  private static long emptyPartitions(EmbeddedPostgresServer server, String db) throws Exception {
    List<String> names = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    try (var c = server.connect(db); var st = c.createStatement(); var r = st.executeQuery("SELECT c.relname,"
        + " pg_total_relation_size(c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent IN ('samples'::regclass, 'sample_chunks'::regclass)")) {
      while (r.next()) {
        names.add(r.getString(1));
        sizes.add(r.getLong(2));
      }
    }
    long empty = 0;
    for (int i = 0; i < names.size(); i++) {
      if (query(server, db, "SELECT count(*) FROM " + names.get(i)) == 0) {
        empty += sizes.get(i);
      }
    }
    return empty;
  }

  private static long query(EmbeddedPostgresServer server, String db, String sql) throws Exception {
    try (var c = server.connect(db); var st = c.createStatement(); var r = st.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
