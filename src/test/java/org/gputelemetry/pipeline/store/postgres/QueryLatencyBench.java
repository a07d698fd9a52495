package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;

/**
 * Query latency of the PostgreSQL store holding a week of a fleet: p50/p99 of the API's three hot
 * queries through the store, one request at a time.
 *
 * <p>The state: {@code --gpus} (247) GPUs x 10 metrics at 1 Hz for {@code --days} (7) days, as the
 * compactor leaves it: every closed hour of every series one {@code sample_chunks} row (payload by
 * {@link ChunkCodec}, aggregates by {@link ChunkRow}, the compactor's own code), then the newest
 * {@code --raw-minutes} (10) as raw rows written through the store. Loading 1.5 G samples through
 * the write path and compacting them would take hours here, so the chunk rows are inserted directly
 * (64 MB of arrays per statement); their payloads are encoded once per (metric, value pattern, hour)
 * with four value patterns across the GPUs, which changes nothing a read does (each row still holds
 * and decodes its own 3,600 points). The production raw tail is between {@code compaction.after} and
 * that plus an hour (1 to 2 h); the bench's is shorter to load quickly, which only favours the raw
 * window query (its index range scan reads the same rows whatever the tail's length). Besides,
 * {@code --fleet} (10,000) GPUs in the catalogue each have the last minute of one metric raw, for
 * {@code latest}.
 *
 * <p>Queries, each {@code --requests} (200) times per run after 20 untimed ones, {@code --runs} (5):
 * <ul>
 *   <li>{@code 7d step=5m}: buckets (avg) of one random GPU's one random metric over the whole week;</li>
 *   <li>{@code latest}: {@code latestOf} one metric across the fleet (10,000 samples);</li>
 *   <li>{@code raw 1m}: the newest minute of one random GPU's one random metric (60 samples);</li>
 *   <li>for the same-run comparison, {@code latest}'s single statement before {@link FleetLatest}.</li>
 * </ul>
 * Prints p50/p99/max and the CPU milliseconds per request of this JVM and of the server per run,
 * then the medians of the runs. {@code --explain true} prints the plan of one day's {@code latestOf}
 * lookup; {@code --hold N} keeps the state up N seconds for psql before measuring (it prints how). PostgreSQL is an embedded 16
 * ({@code shared_buffers=1GB}); the state is VACUUM ANALYZEd before measuring.
 */
public final class QueryLatencyBench {

  static final String[] METRICS = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_GPU_TEMP",
      "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_FB_USED",
      "DCGM_FI_DEV_FB_FREE", "DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE"};
  static final int PATTERNS = 4;
  static final long SECOND = 1_000_000L;
  static final long HOUR = Compactor.RANGE_MICROS;

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);
    Map<String, String> opt = options(args);
    int gpus = Integer.parseInt(opt.getOrDefault("gpus", "247"));
    int days = Integer.parseInt(opt.getOrDefault("days", "7"));
    int fleet = Integer.parseInt(opt.getOrDefault("fleet", "10000"));
    int rawMinutes = Integer.parseInt(opt.getOrDefault("raw-minutes", "10"));
    int requests = Integer.parseInt(opt.getOrDefault("requests", "200"));
    int runs = Integer.parseInt(opt.getOrDefault("runs", "5"));

    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("shared_buffers", "1GB");
    conf.put("max_wal_size", "16GB");
    conf.put("autovacuum", "off"); // the state is vacuumed once, before measuring
    EmbeddedPostgresServer server = EmbeddedPostgresServer.launch(conf);
    Vertx vertx = Vertx.vertx();
    String db = server.createDatabase("qbench");
    JsonObject extra = new JsonObject().put("retention", "0d").put("poolSize", 4)
        .put("compaction", new JsonObject().put("interval", "0s"));
    PostgresTelemetryStore store = new PostgresTelemetryStore(vertx, server.settings(db, extra));
    await(store.start());
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(PgClientOptions.connect(server.settings(db, extra))).using(vertx).build();

    long tail = Math.floorDiv(Timestamps.toMicros(Instant.now()), HOUR) * HOUR - HOUR;
    long first = tail - days * 24L * HOUR;
    long end = tail + rawMinutes * 60L * SECOND; // exclusive: the newest sample is at end - 1 s
    Gpu[] fleetGpus = new Gpu[fleet];
    for (int g = 0; g < fleet; g++) {
      fleetGpus[g] = new Gpu(String.format(Locale.ROOT, "GPU-%08d-bench", g), g % 8, "nvidia" + (g % 8),
          "NVIDIA H100 80GB HBM3", String.format(Locale.ROOT, "host-%05d", g / 8));
    }
    long t0 = System.nanoTime();
    writeRaw(store, fleetGpus, gpus, tail, end);
    System.out.printf(Locale.ROOT, "raw tail: %d GPUs x %d metrics x %d min + %d GPUs x 1 metric x 1 min, %.1f s%n",
        gpus, METRICS.length, rawMinutes, fleet - gpus, (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    long chunks = writeChunks(pool, server, db, gpus, first, tail);
    System.out.printf(Locale.ROOT, "chunks: %d rows (%d GPUs x %d metrics x %d h, %,d samples), %.1f s%n", chunks, gpus,
        METRICS.length, days * 24, chunks * 3600, (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    server.execute(db, "VACUUM ANALYZE");
    System.out.printf(Locale.ROOT, "vacuum analyze %.1f s%n", (System.nanoTime() - t0) / 1e9);

    Random random = new Random(7);
    long newest = end - SECOND;
    if (opt.containsKey("hold")) { // keeps the state up for psql
      System.out.printf(Locale.ROOT, "holding %s s: psql -h 127.0.0.1 -p %d -U postgres %s%n", opt.get("hold"),
          server.port(), db);
      try {
        Thread.sleep(Long.parseLong(opt.get("hold")) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Boolean.parseBoolean(opt.getOrDefault("explain", "false"))) {
      explain(server, db, FleetLatest.probeOf(PartitionMaintainer.day(newest))
          .replace("$1::int4[]", "(SELECT array_agg(id ORDER BY id) FROM gpus)")
          .replace("$2::int4[]", "(SELECT array_fill(0, ARRAY[count(*)::int]) FROM gpus)")
          .replace("$3", "(SELECT id FROM metrics WHERE name = '" + METRICS[0] + "')"));
    }
    Map<String, IntFunction<Future<Integer>>> queries = new LinkedHashMap<>();
    queries.put("7d step=5m", i -> store.buckets(new BucketQuery(fleetGpus[random.nextInt(gpus)].uuid(), newest
            - days * 24L * HOUR, newest, METRICS[random.nextInt(METRICS.length)], 300 * SECOND, Aggregation.AVG))
        .map(List::size));
    queries.put("latest", i -> store.latestOf(METRICS[0], null).map(List::size));
    short utilId = metricIds(server, db).entrySet().stream().filter(e -> e.getKey() == 0).findFirst().orElseThrow()
        .getValue();
    queries.put("latest, one statement (before)", i -> pool.preparedQuery(LATEST_BEFORE).execute(Tuple.of(utilId))
        .map(rs -> {
          int n = 0;
          for (var r : rs) {
            n += r.getValue(0) != null && r.getString(5) != null ? 1 : 0; // every row's time and GPU read
          }
          return n;
        }));
    queries.put("raw 1m", i -> store.samples(new SampleQuery(fleetGpus[random.nextInt(gpus)].uuid(),
            newest - 59 * SECOND, newest, METRICS[random.nextInt(METRICS.length)], SampleQuery.DEFAULT_LIMIT, null))
        .map(p -> p.samples().size()));
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    for (int run = 1; run <= runs; run++) {
      for (var q : queries.entrySet()) {
        double[] r = measure(q.getValue(), requests, server.port());
        results.computeIfAbsent(q.getKey(), k -> new ArrayList<>()).add(r);
        System.out.printf(Locale.ROOT, "run %d %-31s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d results/answer;"
            + " CPU ms/request: JVM %.2f, PostgreSQL %.2f)%n", run, q.getKey(), r[0], r[1], r[2], (long) r[3], r[4], r[5]);
      }
    }
    System.out.println("medians of " + runs + " runs:");
    for (var e : results.entrySet()) {
      System.out.printf(Locale.ROOT, "%-31s p50 %7.2f ms  p99 %7.2f ms  CPU ms/request: JVM %.2f, PostgreSQL %.2f%n",
          e.getKey(), median(e.getValue(), 0), median(e.getValue(), 1), median(e.getValue(), 4),
          median(e.getValue(), 5));
    }
    await(pool.close());
    await(store.close());
    server.dropDatabase(db);
    System.exit(0);
  }

  /**
   * For the same-run comparison: latestOf's single statement before {@link FleetLatest} (one
   * backward probe of each table through its parent per series, that is one index scan per
   * partition), its rows only read, not turned into samples.
   */
  static final String LATEST_BEFORE = "SELECT " + SampleReader.NEWER.formatted("ts") + ", $1::smallint, "
      + SampleReader.NEWER.formatted("v") + ", " + SampleReader.NEWER.formatted("p") + ", x.labels_id, x.uuid,"
      + " x.gpu_index, x.device, x.model_name, x.hostname, x.pci_bus_id, x.driver_version, x.parent_uuid,"
      + " x.mig_profile FROM (SELECT g.uuid, g.gpu_index, g.device, g.model_name, g.hostname, g.pci_bus_id,"
      + " g.driver_version, g.parent_uuid, g.mig_profile, ml.labels_id, ls.canonical, " + SampleReader.BOTH_COLUMNS
      + " FROM gpus g JOIN metric_label_sets ml ON ml.metric_id = $1 JOIN label_sets ls ON ls.id = ml.labels_id"
      + SampleReader.BOTH.formatted("g.id") + ") x"
      + " WHERE x.lts IS NOT NULL OR x.kts IS NOT NULL ORDER BY x.hostname, x.gpu_index, x.uuid, x.canonical";

  /** Prints the plan of {@code sql} with its run's timings (the {@code --explain true} option). */
  private static void explain(EmbeddedPostgresServer server, String db, String sql) {
    try (var c = server.connect(db); var st = c.createStatement();
         var r = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
      while (r.next()) {
        System.out.println(r.getString(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * 20 untimed requests, then {@code n} timed ones in sequence: p50, p99, max (ms), results of the
   * last, and CPU ms per request of this JVM and of the server's processes (the wall-clock figures
   * of a machine shared with other jobs include waiting for a core; the CPU ones do not).
   */
  private static double[] measure(IntFunction<Future<Integer>> query, int n, int port) {
    for (int i = 0; i < 20; i++) {
      await(query.apply(i));
    }
    double[] ms = new double[n];
    int size = 0;
    long jvm0 = jvmCpuNanos();
    long pg0 = serverCpuTicks(port);
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      size = await(query.apply(i));
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    double jvm = (jvmCpuNanos() - jvm0) / 1e6 / n;
    double pg = (serverCpuTicks(port) - pg0) * 10.0 / n;
    Arrays.sort(ms);
    return new double[] {ms[(int) Math.floor(0.50 * (n - 1))], ms[(int) Math.ceil(0.99 * (n - 1))], ms[n - 1], size,
        jvm, pg};
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU clock ticks (1/100 s) of the postmaster listening on {@code port} and its children; Linux, else 0. */
  private static long serverCpuTicks(int port) {
    java.io.File[] procs = new java.io.File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
    if (procs == null) {
      return 0;
    }
    long postmaster = -1;
    Map<Long, String[]> stats = new LinkedHashMap<>();
    for (java.io.File p : procs) {
      try {
        String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
        if (!stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).equals("postgres")) {
          continue;
        }
        long pid = Long.parseLong(p.getName());
        stats.put(pid, stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        String cmd = java.nio.file.Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ');
        if (cmd.contains(" -p " + port + " ")) {
          postmaster = pid;
        }
      } catch (Exception e) {
        // the process ended meanwhile
      }
    }
    long ticks = 0;
    for (var e : stats.entrySet()) {
      String[] f = e.getValue(); // state(0) ppid(1) ... utime(11) stime(12)
      if (e.getKey() == postmaster || Long.parseLong(f[1]) == postmaster) {
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      }
    }
    return ticks;
  }

  private static double median(List<double[]> runs, int index) {
    double[] v = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Every metric of the first {@code gpus} GPUs from {@code from} to {@code end}, one metric's last minute of the rest. */
  private static void writeRaw(PostgresTelemetryStore store, Gpu[] fleet, int gpus, long from, long end) {
    List<Future<Void>> inFlight = new ArrayList<>();
    List<Sample> batch = new ArrayList<>(5000);
    for (long ts = from; ts < end; ts += SECOND) {
      for (int g = 0; g < gpus; g++) {
        for (int m = 0; m < METRICS.length; m++) {
          batch.add(new Sample(fleet[g], METRICS[m], ts, value(m, g % PATTERNS, ts), null, null, null));
        }
      }
      batch = flush(store, batch, inFlight, false);
    }
    for (long ts = end - 60 * SECOND; ts < end; ts += SECOND) {
      for (int g = gpus; g < fleet.length; g++) {
        batch.add(new Sample(fleet[g], METRICS[0], ts, value(0, g % PATTERNS, ts), null, null, null));
      }
      batch = flush(store, batch, inFlight, false);
    }
    flush(store, batch, inFlight, true);
  }

  private static List<Sample> flush(PostgresTelemetryStore store, List<Sample> batch, List<Future<Void>> inFlight,
                                    boolean last) {
    if (batch.size() < 5000 && !last) {
      return batch;
    }
    if (!batch.isEmpty()) {
      inFlight.add(store.write(batch));
    }
    if (inFlight.size() >= 2 || last) { // two writers, as the collector runs them
      await(Future.all(inFlight));
      inFlight.clear();
    }
    return new ArrayList<>(5000);
  }

  /** A DCGM-like value: integer utilisations, slowly moving temperatures and power, stepping clocks. */
  static double value(int metric, int pattern, long ts) {
    long s = ts / SECOND;
    long h = s * 0x9E3779B97F4A7C15L + metric * 31L + pattern * 7L;
    int noise = (int) ((h ^ (h >>> 29)) & 0x3f);
    return switch (metric) {
      case 0, 1, 8, 9 -> (s / 13 + pattern * 17 + noise) % 101;
      case 2 -> 45 + pattern + (s / 600) % 20;
      case 3 -> 250 + pattern * 20 + ((s / 5) % 40) + noise / 10.0;
      case 4, 5 -> s % 30 == 0 ? 1410 : 1980;
      case 6 -> 20_000 + pattern * 1000 + (s / 60) % 5000;
      default -> 80_000 - (20_000 + pattern * 1000 + (s / 60) % 5000);
    };
  }

  /** One chunk row per (GPU, metric, hour) in [first, tail): the compactor's output for that hour. */
  private static long writeChunks(Pool pool, EmbeddedPostgresServer server, String db, int gpus, long first,
                                  long tail) {
    TreeSet<Long> days = new TreeSet<>();
    for (long h = first; h < tail; h += HOUR) {
      days.add(PartitionMaintainer.day(h));
    }
    await(new PartitionMaintainer(pool, java.time.Duration.ZERO).ensure(days));
    Map<Short, Short> ids = metricIds(server, db);
    long rows = 0;
    List<Future<?>> inFlight = new ArrayList<>();
    for (long h = first; h < tail; h += HOUR) {
      ChunkRow[][] payloads = new ChunkRow[METRICS.length][PATTERNS];
      long[] ts = new long[3600];
      double[] values = new double[3600];
      for (int m = 0; m < METRICS.length; m++) {
        for (int p = 0; p < PATTERNS; p++) {
          for (int i = 0; i < 3600; i++) {
            ts[i] = h + i * SECOND;
            values[i] = value(m, p, ts[i]);
          }
          payloads[m][p] = ChunkRow.of(h, ts, values, 3600);
        }
      }
      List<ChunkRow.Keyed> hour = new ArrayList<>(gpus * METRICS.length);
      for (int g = 0; g < gpus; g++) {
        for (int m = 0; m < METRICS.length; m++) {
          hour.add(new ChunkRow.Keyed(g + 1, ids.get((short) m), Dictionaries.EMPTY_LABELS, null,
              payloads[m][g % PATTERNS]));
        }
      }
      inFlight.add(pool.preparedQuery(ChunkRow.INSERT).execute(ChunkRow.arrays(hour)));
      rows += hour.size();
      if (inFlight.size() >= 2) {
        await(Future.all(inFlight));
        inFlight.clear();
      }
    }
    await(Future.all(inFlight));
    // as a compaction pass up to the tail leaves it: no chunk ends after the watermark
    await(pool.preparedQuery(Compactor.RAISE_WATERMARK).execute(Tuple.of(SampleRows.timestamp(tail))));
    return rows;
  }

  /** Metric index in {@link #METRICS} to its id, as the raw writes registered them. */
  private static Map<Short, Short> metricIds(EmbeddedPostgresServer server, String db) {
    Map<Short, Short> ids = new LinkedHashMap<>();
    try (var c = server.connect(db); var st = c.createStatement();
         var r = st.executeQuery("SELECT id, name FROM metrics")) {
      while (r.next()) {
        ids.put((short) Arrays.asList(METRICS).indexOf(r.getString(2)), r.getShort(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }
}
