package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedWriter;
import java.io.File;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.config.Descriptors;
import org.gputelemetry.pipeline.config.StoreSettings;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.postgres.InsertMethod;
import org.gputelemetry.pipeline.store.postgres.PostgresTelemetryStore;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.postgresql.PGConnection;

/**
 * How fast the PostgreSQL store writes, against how fast PostgreSQL itself loads the same rows.
 *
 * <p>Generates {@code rows} samples (default 1,000,000): 247 GPUs on 31 hosts x 10 DCGM metrics x
 * one scrape per second. Then, each run on a fresh database migrated by the store (so every
 * table is identical), median of {@code runs} (default 3):
 * <ol>
 *   <li>the COPY ceiling: the rows as CSV loaded by {@code psql \copy} (JDBC {@code CopyManager}
 *       when no psql is on the PATH) into {@code samples} ({@code COPY}); for reference, the same
 *       rows in two files loaded by two concurrent psql ({@code COPY_2});</li>
 *   <li>{@code PostgresTelemetryStore.write} with each {@link InsertMethod}, batches of 5000,
 *       two concurrent writers (the collector's default);</li>
 *   <li>{@code PIPELINE}: the all-in-one pipeline (streamer, local transport, collector) into the
 *       store, flat out, until as many rows are committed;</li>
 *   <li>for reference, a plain INSERT through unnest without ON CONFLICT (not idempotent).</li>
 * </ol>
 *
 * <p>Runs an embedded PostgreSQL 16 with {@code fsync} and {@code synchronous_commit} on, and the
 * same tuning for every path ({@code shared_buffers}, {@code max_wal_size} so that no checkpoint
 * falls inside a measurement, autovacuum off so that one run's vacuum does not fall into the
 * next). One untimed warm-up round on 200,000 rows precedes the measured runs. With {@code DB_HOST} set it uses that server instead ({@code DB_PORT},
 * {@code DB_USER}, {@code DB_PASSWORD}; the user needs CREATEDB).
 *
 * <pre>
 * mvn -o -q test-compile
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat cp.txt) \
 *   org.gputelemetry.pipeline.bench.PostgresWriteBench [rows] [runs] [methods...]
 * </pre>
 */
public final class PostgresWriteBench {

  /** As many as the bundled sample has. */
  private static final int GPUS = DcgmSampleFile.GPUS;
  private static final int GPUS_PER_HOST = 8;
  private static final String[] METRICS = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL",
      "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
      "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"};
  private static final int BATCH = 5000;
  private static final int WRITERS = 2;

  private final Vertx vertx = Vertx.vertx();
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final EmbeddedPostgresServer embedded;
  private int databases;

  private PostgresWriteBench() {
    String envHost = System.getenv("DB_HOST");
    if (envHost != null && !envHost.isBlank()) {
      embedded = null;
      host = envHost;
      port = Integer.parseInt(System.getenv().getOrDefault("DB_PORT", "5432"));
      user = System.getenv().getOrDefault("DB_USER", "postgres");
      password = System.getenv("DB_PASSWORD");
    } else {
      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("fsync", "on");
      conf.put("synchronous_commit", "on");
      conf.put("shared_buffers", "1GB");
      conf.put("max_wal_size", "16GB");
      conf.put("checkpoint_timeout", "30min");
      // Background vacuum of the freshly loaded table would land inside the next measurement.
      conf.put("autovacuum", "off");
      embedded = EmbeddedPostgresServer.launch(conf);
      host = "127.0.0.1";
      port = embedded.port();
      user = "postgres";
      password = null;
    }
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String> paths = args.length > 2 ? Arrays.asList(args).subList(2, args.length)
        : List.of("COPY", "COPY_2", "PIPELINE", "UNNEST", "COMPACTING", "COMPACT", "MULTI_ROW_VALUES",
            "BATCHED_PREPARED", "PLAIN_UNNEST");
    PostgresWriteBench bench = new PostgresWriteBench();
    try {
      bench.run(rows, runs, paths);
    } finally {
      await(bench.vertx.close());
      System.exit(0);
    }
  }

  private void run(int rows, int runs, List<String> paths) throws Exception {
    List<Sample> samples = generate(rows);
    System.out.printf(Locale.ROOT, "%,d rows (%d GPUs x %d metrics x %d scrapes), batches of %d, %d writers, "
        + "%d runs each, PostgreSQL at %s:%d%n", samples.size(), GPUS, METRICS.length,
        samples.size() / (GPUS * METRICS.length), BATCH, WRITERS, runs, host, port);
    // One untimed round first: a collector runs warm (JIT-compiled), and so should the store.
    List<Sample> warmUp = samples.subList(0, Math.min(samples.size(), 200_000));
    for (String path : paths) {
      measure(path, warmUp);
    }
    // Runs are interleaved (every path once, then again) so that a slow spell of this shared
    // machine does not land on one path only.
    Map<String, double[]> rates = new LinkedHashMap<>();
    paths.forEach(p -> rates.put(p, new double[runs]));
    for (int r = 0; r < runs; r++) {
      for (String path : paths) {
        long jvm0 = jvmCpuNanos();
        long pg0 = postgresCpuTicks();
        double rate = measure(path, samples);
        rates.get(path)[r] = rate;
        double jvmCpu = (jvmCpuNanos() - jvm0) / 1e9;
        double pgCpu = (postgresCpuTicks() - pg0) / 100.0;
        System.out.printf(Locale.ROOT, "  %-17s run %d: %,10.0f rows/s   (CPU s: postgres %.1f, this JVM %.1f)%n",
            path, r + 1, rate, pgCpu, jvmCpu);
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    rates.forEach((path, values) -> {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      medians.put(path, sorted[runs / 2]);
    });
    System.out.println();
    System.out.println("median rows/s");
    medians.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-17s %,10.0f%n", k, v));
    for (String copy : List.of("COPY", "COPY_2")) {
      Double ceiling = medians.get(copy);
      if (ceiling == null) {
        continue;
      }
      for (String path : medians.keySet()) {
        if (!path.startsWith("COPY")) {
          System.out.printf(Locale.ROOT, "  %s / %s = %.2f%n", path, copy, medians.get(path) / ceiling);
        }
      }
    }
  }

  private double measure(String path, List<Sample> samples) throws Exception {
    return switch (path) {
      case "COPY" -> copy(samples, 1);
      case "COPY_2" -> copy(samples, 2);
      case "PLAIN_UNNEST" -> plainUnnest(samples);
      case "PIPELINE" -> pipeline(samples.size());
      case "COMPACT" -> compaction(samples);
      case "COMPACTING" -> compacting(samples);
      default -> store(samples, InsertMethod.valueOf(path));
    };
  }

  /** One scrape per second; every sample of a scrape shares its timestamp, like a DCGM exporter's. */
  static List<Sample> generate(int rows) {
    Gpu[] gpus = new Gpu[GPUS];
    for (int g = 0; g < GPUS; g++) {
      String hostName = String.format(Locale.ROOT, "dgx-h100-%03d", g / GPUS_PER_HOST + 1);
      String uuid = String.format(Locale.ROOT, "GPU-%08x-%04x-%04x-%04x-%012x", 0x5fd4f087 + g, g, 0x7a43, 0xb711, g * 7919L);
      gpus[g] = new Gpu(uuid, g % GPUS_PER_HOST, "nvidia" + g % GPUS_PER_HOST, "NVIDIA H100 80GB HBM3", hostName);
    }
    long start = Timestamps.toMicros(LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC));
    List<Sample> out = new ArrayList<>(rows);
    for (int scrape = 0; out.size() < rows; scrape++) {
      long ts = start + scrape * 1_000_000L;
      for (int m = 0; m < METRICS.length && out.size() < rows; m++) {
        for (int g = 0; g < GPUS && out.size() < rows; g++) {
          out.add(new Sample(gpus[g], METRICS[m], ts, (scrape * 31 + g * 7 + m) % 1000 / 10.0, null, null, null));
        }
      }
    }
    return out;
  }

  private StoreSettings settings(String database) {
    JsonObject json = new JsonObject().put("type", "postgres").put("host", host).put("port", port)
        .put("database", database).put("user", user).put("sslMode", "disable").put("poolSize", WRITERS + 2)
        .put("retention", "0d");
    if (password != null) {
      json.put("password", password);
    }
    return StoreSettings.fromJson(json);
  }

  /** A fresh database with the store's schema and partitions. */
  private String freshDatabase() throws Exception {
    String name = "bench_" + ProcessHandle.current().pid() + "_" + (++databases);
    try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name);
    }
    PostgresTelemetryStore store = new PostgresTelemetryStore(vertx, settings(name));
    await(store.start(), 60);
    await(store.close());
    return name;
  }

  private void dropDatabase(String name) throws Exception {
    try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT"); // the next run starts without this one's dirty pages
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  private Connection jdbc(String database) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user,
        password == null ? "" : password);
  }

  private double store(List<Sample> samples, InsertMethod method) throws Exception {
    String db = freshDatabase();
    PostgresTelemetryStore store = new PostgresTelemetryStore(vertx, settings(db), method);
    try {
      await(store.start(), 60);
      double rate = timed(samples, store::write);
      check(db, samples.size());
      return rate;
    } finally {
      await(store.close());
      dropDatabase(db);
    }
  }

  /**
   * The whole all-in-one pipeline into PostgreSQL, flat out: the shipped descriptor's streamer
   * (bundled sample in a loop, processing timestamps, no rate limit) through the local transport
   * to the collector and its PostgreSQL store. Steady state, as COPY's figure is: the clock starts
   * once a warm-up tenth of {@code rows} is committed (the store's start-up, migrations and the
   * JIT are behind it) and stops when {@code rows} more are.
   */
  private double pipeline(int rows) throws Exception {
    String db = freshDatabase();
    JsonObject descriptor = Pipelines.merge(Descriptors.bundled(Descriptors.DEFAULT).orElseThrow(), new JsonObject()
        .put("roles", List.of("streamer", "collector"))
        .put("streamer", new JsonObject().put("rate", 0).put("loopMode", true).put("timestampMode", "processing"))
        .put("collector", new JsonObject().put("store", settings(db).toJson().put("password", password))));
    PipelineVerticle main = new PipelineVerticle();
    String id = await(vertx.deployVerticle(main, new io.vertx.core.DeploymentOptions().setConfig(descriptor)), 120);
    try {
      while (main.metrics().samplesPersisted.count() < rows / 10.0) {
        Thread.sleep(1);
      }
      long t0 = System.nanoTime();
      double from = main.metrics().samplesPersisted.count();
      while (main.metrics().samplesPersisted.count() < from + rows) {
        Thread.sleep(1);
      }
      double rate = (main.metrics().samplesPersisted.count() - from) / ((System.nanoTime() - t0) / 1e9);
      await(vertx.undeploy(id), 60);
      id = null;
      try (Connection c = jdbc(db); Statement st = c.createStatement();
           java.sql.ResultSet r = st.executeQuery("SELECT count(*) FROM samples")) {
        r.next();
        if (r.getLong(1) < rows) {
          throw new IllegalStateException("pipeline committed " + r.getLong(1) + " rows, expected at least " + rows);
        }
      }
      return rate;
    } finally {
      if (id != null) {
        await(vertx.undeploy(id), 60);
      }
      dropDatabase(db);
    }
  }

  /** {@code samples} moved {@code days} back in time: a backlog of closed hours for the compactor. */
  private static List<Sample> daysEarlier(List<Sample> samples, int days) {
    long shift = days * 86_400_000_000L;
    List<Sample> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      out.add(new Sample(s.gpu(), s.metric(), s.timestampMicros() - shift, s.value(), null, null, null));
    }
    return out;
  }

  /**
   * The compactor alone: {@code samples} two days back written raw (untimed), then one pass moves
   * them into chunks; samples compacted per second of the pass, and its CPU (PostgreSQL's backends
   * and this JVM) per million samples, printed here.
   */
  private double compaction(List<Sample> samples) throws Exception {
    String db = freshDatabase();
    PostgresTelemetryStore store = new PostgresTelemetryStore(vertx, compactingSettings(db, false));
    try {
      await(store.start(), 60);
      timed(daysEarlier(samples, 2), store::write);
      long jvm0 = jvmCpuNanos();
      long pg0 = postgresCpuTicks();
      long t0 = System.nanoTime();
      long moved = await(store.compactNow(), 3600);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double perMillion = 1e6 / moved;
      System.out.printf(Locale.ROOT, "  %-17s        %,d samples in %.2f s; CPU s per million samples: postgres %.2f,"
          + " this JVM %.2f%n", "(compaction pass)", moved, seconds, (postgresCpuTicks() - pg0) / 100.0 * perMillion,
          (jvmCpuNanos() - jvm0) / 1e9 * perMillion);
      if (moved != samples.size()) {
        throw new IllegalStateException("compacted " + moved + " samples, expected " + samples.size());
      }
      check(db, 0);
      return moved / seconds;
    } finally {
      await(store.close());
      dropDatabase(db);
    }
  }

  /**
   * Ingest with the compaction running: a backlog of {@code samples} two days back written raw
   * (untimed), then {@code samples} of today written as the UNNEST path does while the store's own
   * timer compacts the backlog (a pass every second; {@code after} puts the closed end before
   * today, so only the backlog is closed). Rows/s of the ingest; the share of the backlog compacted
   * by the time the ingest ended is printed.
   */
  private double compacting(List<Sample> samples) throws Exception {
    String db = freshDatabase();
    PostgresTelemetryStore loader = new PostgresTelemetryStore(vertx, compactingSettings(db, false));
    PostgresTelemetryStore store = null;
    try {
      await(loader.start(), 60);
      timed(daysEarlier(samples, 2), loader::write);
      await(loader.close());
      store = new PostgresTelemetryStore(vertx, compactingSettings(db, true));
      await(store.start(), 60);
      double rate = timed(samples, store::write);
      long chunked;
      try (Connection c = jdbc(db); Statement st = c.createStatement();
           ResultSet r = st.executeQuery("SELECT coalesce(sum(count), 0) FROM sample_chunks")) {
        r.next();
        chunked = r.getLong(1);
      }
      System.out.printf(Locale.ROOT, "  %-17s        backlog compacted while ingesting: %,d of %,d samples%n",
          "(compaction)", chunked, samples.size());
      return rate;
    } finally {
      if (store != null) {
        await(store.close());
      }
      dropDatabase(db);
    }
  }

  /** Settings whose closed end is before today (the backlog is closed, today's rows are not); timer on or off. */
  private StoreSettings compactingSettings(String db, boolean timer) {
    long midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    long afterSeconds = (System.currentTimeMillis() - midnight) / 1000 + 3600;
    JsonObject json = settings(db).toJson().put("compaction", new JsonObject().put("after", afterSeconds + "s")
        .put("interval", timer ? "1s" : "0s"));
    if (password != null) {
      json.put("password", password);
    }
    return StoreSettings.fromJson(json);
  }

  /** Reference only: the same batches as plain INSERT ... SELECT FROM unnest, no ON CONFLICT, ids precomputed. */
  private double plainUnnest(List<Sample> samples) throws Exception {
    String db = freshDatabase();
    Map<String, Integer> gpuIds = new LinkedHashMap<>();
    Map<String, Short> metricIds = new LinkedHashMap<>();
    for (Sample s : samples) {
      gpuIds.putIfAbsent(s.gpu().uuid(), gpuIds.size() + 1);
      metricIds.putIfAbsent(s.metric(), (short) (metricIds.size() + 1));
    }
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(WRITERS))
        .connectingTo(new io.vertx.pgclient.PgConnectOptions().setHost(host).setPort(port).setDatabase(db)
            .setUser(user).setPassword(password == null ? "" : password).setCachePreparedStatements(true))
        .using(vertx).build();
    String sql = "INSERT INTO samples (ts, value, gpu_id, placement_id, metric_id) "
        + "SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::int4[], $4::int4[], $5::int2[])";
    try {
      double rate = timed(samples, batch -> {
        int n = batch.size();
        OffsetDateTime[] ts = new OffsetDateTime[n];
        Double[] values = new Double[n];
        Integer[] gpu = new Integer[n];
        Integer[] placement = new Integer[n];
        Short[] metric = new Short[n];
        for (int i = 0; i < n; i++) {
          Sample s = batch.get(i);
          ts[i] = Timestamps.toInstant(s.timestampMicros()).atOffset(ZoneOffset.UTC);
          values[i] = s.value();
          gpu[i] = gpuIds.get(s.gpu().uuid());
          metric[i] = metricIds.get(s.metric());
        }
        return pool.preparedQuery(sql).execute(Tuple.of(ts, values, gpu, placement, metric)).mapEmpty();
      });
      check(db, samples.size());
      return rate;
    } finally {
      await(pool.close());
      dropDatabase(db);
    }
  }

  /** {@link #WRITERS} threads take batches of {@link #BATCH} from one queue, one write in flight each. */
  private static double timed(List<Sample> samples, Function<List<Sample>, Future<Void>> write) throws Exception {
    ConcurrentLinkedQueue<List<Sample>> batches = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < samples.size(); i += BATCH) {
      batches.add(List.copyOf(samples.subList(i, Math.min(samples.size(), i + BATCH))));
    }
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    long t0 = System.nanoTime();
    List<java.util.concurrent.Future<?>> jobs = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      jobs.add(writers.submit(() -> {
        List<Sample> batch;
        while ((batch = batches.poll()) != null) {
          await(write.apply(batch), 120);
        }
        return null;
      }));
    }
    for (java.util.concurrent.Future<?> j : jobs) {
      j.get(1, TimeUnit.HOURS);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    writers.shutdown();
    return samples.size() / seconds;
  }

  /**
   * psql's \copy of the rows as CSV ({@code streams} files loaded by as many concurrent psql
   * processes); JDBC CopyManager when psql is not installed.
   */
  private double copy(List<Sample> samples, int streams) throws Exception {
    String db = freshDatabase();
    List<Path> files = new ArrayList<>();
    try {
      Map<String, Integer> gpuIds = new LinkedHashMap<>();
      Map<String, Integer> metricIds = new LinkedHashMap<>();
      int per = (samples.size() + streams - 1) / streams;
      for (int f = 0; f < streams; f++) {
        Path csv = Files.createTempFile("bench-samples-", ".csv");
        files.add(csv);
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
          for (Sample s : samples.subList(f * per, Math.min(samples.size(), (f + 1) * per))) {
            int gpu = gpuIds.computeIfAbsent(s.gpu().uuid(), k -> gpuIds.size() + 1);
            int metric = metricIds.computeIfAbsent(s.metric(), k -> metricIds.size() + 1);
            // ts, value, gpu_id, placement_id (empty = NULL), metric_id
            out.write(Timestamps.format(s.timestampMicros()));
            out.write(',');
            out.write(Double.toString(s.value()));
            out.write(',');
            out.write(Integer.toString(gpu));
            out.write(",,");
            out.write(Integer.toString(metric));
            out.write('\n');
          }
        }
      }
      String psql = findPsql();
      if (databases == 1) {
        System.out.println("  (COPY through " + (psql != null ? psql + " \\copy" : "JDBC CopyManager") + ")");
      }
      ExecutorService loaders = Executors.newFixedThreadPool(streams);
      long t0 = System.nanoTime();
      List<java.util.concurrent.Future<?>> jobs = new ArrayList<>();
      for (Path csv : files) {
        jobs.add(loaders.submit(() -> {
          copyFile(psql, db, csv);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> j : jobs) {
        j.get(1, TimeUnit.HOURS);
      }
      double rate = samples.size() / ((System.nanoTime() - t0) / 1e9);
      loaders.shutdown();
      check(db, samples.size());
      return rate;
    } finally {
      for (Path csv : files) {
        Files.deleteIfExists(csv);
      }
      dropDatabase(db);
    }
  }

  private void copyFile(String psql, String db, Path csv) throws Exception {
    String copy = "\\copy samples (ts, value, gpu_id, placement_id, metric_id) FROM '" + csv + "' WITH (FORMAT csv)";
    if (psql != null) {
      ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p",
          Integer.toString(port), "-U", user, "-d", db, "-c", copy).inheritIO();
      if (password != null) {
        pb.environment().put("PGPASSWORD", password);
      }
      int exit = pb.start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("psql exited with " + exit);
      }
    } else {
      try (Connection c = jdbc(db); Reader in = Files.newBufferedReader(csv)) {
        c.unwrap(PGConnection.class).getCopyAPI()
            .copyIn("COPY samples (ts, value, gpu_id, placement_id, metric_id) FROM STDIN WITH (FORMAT csv)", in);
      }
    }
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU time (clock ticks) of every postgres and psql process on this machine, finished children
   * included; Linux only, 0 elsewhere. Counts the whole measured path, server and client side.
   */
  private long postgresCpuTicks() {
    long ticks = 0;
    long postmaster = embedded == null ? -1 : postmasterPid(embedded.port());
    File[] procs = new File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    if (procs == null) {
      return 0;
    }
    for (File p : procs) {
      try {
        String stat = Files.readString(p.toPath().resolve("stat"));
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (!comm.equals("postgres") && !comm.equals("psql")) {
          continue;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long pid = Long.parseLong(p.getName());
        // other servers on this shared machine (other builds' tests) are not this path's cost
        if (postmaster > 0 && comm.equals("postgres") && pid != postmaster && Long.parseLong(f[1]) != postmaster) {
          continue;
        }
        // fields after comm: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      } catch (Exception e) {
        // the process ended meanwhile
      }
    }
    return ticks;
  }

  /** The postmaster listening on {@code port} (its command line has {@code -p port}), or -1. */
  private static long postmasterPid(int port) {
    File[] procs = new File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    for (File p : procs == null ? new File[0] : procs) {
      try {
        String cmd = Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ');
        if (cmd.contains("/postgres -D ") && cmd.contains(" -p " + port + " ")) {
          return Long.parseLong(p.getName());
        }
      } catch (Exception e) {
        // the process ended meanwhile
      }
    }
    return -1;
  }

  private static String findPsql() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "psql");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  private void check(String db, int expected) throws Exception {
    try (Connection c = jdbc(db); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT count(*) FROM samples")) {
      r.next();
      if (r.getLong(1) != expected) {
        throw new IllegalStateException("expected " + expected + " rows, found " + r.getLong(1));
      }
    }
  }
}
