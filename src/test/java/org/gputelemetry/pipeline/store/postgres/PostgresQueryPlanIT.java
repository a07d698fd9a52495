package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plans PostgreSQL chooses for the API's queries, on realistic data (a fleet of 10,000 GPUs
 * in the catalogue; 247 of them with 2 minutes of 10 metrics each and one with 2 hours, across
 * midnight so two day partitions hold them; statistics gathered by ANALYZE; no planner setting
 * changed). Each query
 * is explained as the store sends it, with the plan for its parameter values and with the generic
 * plan a prepared statement may switch to. No query may scan a samples partition sequentially.
 */
class PostgresQueryPlanIT {

  /** As many as the bundled sample has. */
  private static final int GPUS = DcgmSampleFile.GPUS;
  private static final String[] METRICS = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL",
      "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
      "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"};

  private static Vertx vertx;
  private static StoreFixture db;
  private static Pool pool;
  private static long midnight;
  private static Gpu probe;
  /** Partitions without a row (the days ahead): reading one sequentially reads nothing, the planner's right choice. */
  private static final java.util.Set<String> empty = new java.util.TreeSet<>();

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    db = new StoreFixture(vertx, "plans");
    PostgresTelemetryStore store = db.started();
    midnight = Timestamps.toMicros(LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC));
    List<Gpu> gpus = new ArrayList<>();
    for (int g = 0; g < GPUS; g++) {
      gpus.add(new Gpu(String.format("GPU-%04d-plan", g), g % 8, "nvidia" + g % 8, "NVIDIA H100 80GB HBM3",
          String.format("dgx-%03d", g / 8)));
    }
    probe = gpus.get(100);
    List<Sample> batch = new ArrayList<>();
    for (int scrape = -60; scrape < 60; scrape++) {
      long ts = midnight + scrape * 1_000_000L;
      for (String metric : METRICS) {
        for (Gpu gpu : gpus) {
          batch.add(new Sample(gpu, metric, ts, scrape, null, null, null));
          if (batch.size() == 5000) {
            await(store.write(batch));
            batch = new ArrayList<>();
          }
        }
      }
    }
    await(store.write(batch));
    // The GPU the window queries read has two hours of history: 72,000 samples.
    batch = new ArrayList<>();
    for (int scrape = -3600; scrape < 3600; scrape++) {
      if (scrape >= -60 && scrape < 60) {
        continue;
      }
      for (String metric : METRICS) {
        batch.add(new Sample(probe, metric, midnight + scrape * 1_000_000L, scrape, null, null, null));
        if (batch.size() == 5000) {
          await(store.write(batch));
          batch = new ArrayList<>();
        }
      }
    }
    await(store.write(batch));
    // The rest of a large fleet: catalogue rows on 1,250 hosts (their samples are elsewhere in time).
    db.execute("INSERT INTO gpus (uuid, gpu_index, device, model_name, hostname, first_seen)"
        + " SELECT 'GPU-fleet-' || i, i % 8, 'nvidia' || i % 8, 'NVIDIA H100 80GB HBM3', 'fleet-' || i / 8, now()"
        + " FROM generate_series(1, 10000) i");
    db.execute("ANALYZE");
    empty.addAll(db.strings("SELECT relname FROM pg_class WHERE relname LIKE 'samples_p%' AND relkind = 'r'"
        + " AND reltuples = 0"));
    PgConnectOptions connect = new PgConnectOptions().setHost("127.0.0.1").setPort(db.server.port())
        .setDatabase(db.database).setUser("postgres");
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(connect).using(vertx).build();
  }

  @AfterAll
  static void close() {
    await(pool.close());
    db.close();
    await(vertx.close());
  }

  /** The plan's nodes, depth first, with init plans and sub plans. */
  private static List<JsonObject> explain(String sql, Tuple params, boolean generic) {
    String mode = generic ? "force_generic_plan" : "auto";
    String plan = await(pool.withConnection(c -> c.query("SET plan_cache_mode = " + mode).execute()
        .compose(v -> c.preparedQuery("EXPLAIN (FORMAT JSON) " + sql).execute(params))
        .map(rs -> {
          Row r = rs.iterator().next();
          Object v = r.getValue(0);
          return v instanceof String text ? text : Json.encode(v);
        })));
    JsonObject root = new JsonArray(plan).getJsonObject(0).getJsonObject("Plan");
    List<JsonObject> nodes = new ArrayList<>();
    collect(root, nodes);
    System.out.println((generic ? "generic plan of: " : "plan of: ") + sql);
    nodes.forEach(n -> System.out.println("  " + n.getString("Node Type") + " "
        + n.getString("Relation Name", "") + " " + n.getString("Index Name", "")));
    return nodes;
  }

  private static void collect(JsonObject node, List<JsonObject> out) {
    out.add(node);
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      for (int i = 0; i < children.size(); i++) {
        collect(children.getJsonObject(i), out);
      }
    }
  }

  private static boolean onSamples(JsonObject node) {
    String relation = node.getString("Relation Name", "");
    return relation.startsWith(PartitionMaintainer.PREFIX) && !empty.contains(relation);
  }

  private static void assertSamplesReadByIndexOnly(List<JsonObject> nodes) {
    assertFalse(nodes.stream().anyMatch(n -> onSamples(n) && n.getString("Node Type").equals("Seq Scan")),
        "no samples partition holding rows is scanned sequentially");
    assertFalse(nodes.stream().anyMatch(n -> onSamples(n) && n.getString("Node Type").startsWith("Bitmap")),
        "no samples partition is read through a bitmap (that loses the index order)");
    assertTrue(nodes.stream().anyMatch(n -> onSamples(n) && n.getString("Node Type").startsWith("Index")
        && n.getString("Index Name").endsWith("_pkey")), "samples are read through their primary key");
  }

  private static int probeId() {
    return (int) db.count("SELECT id FROM gpus WHERE uuid = '" + probe.uuid() + "'");
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void oneGpusSamplesInAWindowAcrossTwoPartitionsUseThePrimaryKeyInTimeOrder(boolean generic) {
    // One hour across midnight, the API's default page size: 36,000 samples match, 1,001 are read.
    SampleQuery q = new SampleQuery(probe.uuid(), midnight - 1_800_000_000L, midnight + 1_800_000_000L, null,
        SampleQuery.DEFAULT_LIMIT, null);
    SampleReader.Statement st = SampleReader.statement(probeId(), q, null);
    List<JsonObject> nodes = explain(st.sql(), st.params(), generic);
    assertSamplesReadByIndexOnly(nodes);
    assertFalse(nodes.stream().anyMatch(n -> n.getString("Node Type").equals("Sort")),
        "rows come in time order from the index: at most an incremental sort of equal timestamps");
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void aFollowingPageWithAMetricFilterUsesThePrimaryKeyToo(boolean generic) {
    SampleQuery q = new SampleQuery(probe.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null, 100,
        new Cursor(midnight, "DCGM_FI_DEV_GPU_TEMP"));
    SampleReader.Statement st = SampleReader.statement(probeId(), q, (short) 3);
    List<JsonObject> nodes = explain(st.sql(), st.params(), generic);
    assertSamplesReadByIndexOnly(nodes);
    assertFalse(nodes.stream().anyMatch(n -> n.getString("Node Type").equals("Sort")));
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void bucketsOfAWindowAcrossTwoPartitionsReadThePrimaryKeyRangeOnly(boolean generic) {
    BucketQuery q = new BucketQuery(probe.uuid(), midnight - 1_800_000_000L, midnight + 1_800_000_000L, null,
        60_000_000L, Aggregation.AVG);
    SampleReader.Statement st = SampleReader.bucketStatement(probeId(), q, null);
    assertSamplesReadThroughThePrimaryKey(explain(st.sql(), st.params(), generic));
    BucketQuery last = new BucketQuery(probe.uuid(), midnight - 1_800_000_000L, midnight + 1_800_000_000L,
        "DCGM_FI_DEV_GPU_UTIL", 300_000_000L, Aggregation.LAST);
    SampleReader.Statement one = SampleReader.bucketStatement(probeId(), last, (short) 3);
    assertSamplesReadThroughThePrimaryKey(explain(one.sql(), one.params(), generic));
  }

  /** Grouping needs no index order: a bitmap over the primary key's range is as good as an index scan. */
  private static void assertSamplesReadThroughThePrimaryKey(List<JsonObject> nodes) {
    assertFalse(nodes.stream().anyMatch(n -> onSamples(n) && n.getString("Node Type").equals("Seq Scan")),
        "no samples partition holding rows is scanned sequentially");
    assertTrue(nodes.stream().anyMatch(n -> (n.getString("Node Type").startsWith("Index")
        || n.getString("Node Type").equals("Bitmap Index Scan"))
        && n.getString("Index Name", "").startsWith(PartitionMaintainer.PREFIX)
        && n.getString("Index Name").endsWith("_pkey")), "samples are read through their primary key");
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void latestValuesProbeThePrimaryKey(boolean generic) {
    assertSamplesReadByIndexOnly(explain(SampleReader.GPU_LATEST, Tuple.of(probeId()), generic));
  }

  /**
   * latestOf's lookup of one day (FleetLatest): for every series of the catalogue (10,247 GPUs), one
   * backward probe of that day's raw partition's primary key (and of its chunk partition's), never
   * a scan of the partition, whichever plan the prepared statement uses.
   */
  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void fleetLatestProbesOneDaysPartitionsByTheirPrimaryKeys(boolean generic) {
    List<Integer> ids = new ArrayList<>();
    db.strings("SELECT id FROM gpus ORDER BY id").forEach(id -> ids.add(Integer.parseInt(id)));
    Integer[] gpuIds = ids.toArray(Integer[]::new);
    Integer[] labels = new Integer[gpuIds.length];
    java.util.Arrays.fill(labels, Dictionaries.EMPTY_LABELS);
    for (long day : List.of(PartitionMaintainer.day(midnight), PartitionMaintainer.day(midnight) - 1)) {
      List<JsonObject> nodes = explain(FleetLatest.probeOf(day), Tuple.of(gpuIds, labels, (short) 3), generic);
      assertSamplesReadByIndexOnly(nodes);
      assertTrue(nodes.stream().anyMatch(n -> n.getString("Node Type").equals("Limit")),
          "one newest row per series, not a sort of the partition");
    }
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void gpuListReadsEachNewestSampleFromThePrimaryKey(boolean generic) {
    List<JsonObject> nodes = explain(SampleReader.ALL_GPUS, Tuple.tuple(), generic);
    assertSamplesReadByIndexOnly(nodes);
  }

  @ParameterizedTest(name = "generic plan: {0}")
  @ValueSource(booleans = {false, true})
  void oneHostsGpusAreFoundThroughTheHostIndex(boolean generic) {
    List<JsonObject> nodes = explain(SampleReader.HOST_GPUS, Tuple.of("dgx-012"), generic);
    assertSamplesReadByIndexOnly(nodes);
    assertTrue(nodes.stream().anyMatch(n -> "gpus_by_host".equals(n.getString("Index Name"))), "gpus_by_host is used");
  }

  @Test
  void oneGpuIsFoundByItsUuidAndHostsProbeSamplesByIndex() {
    List<JsonObject> one = explain(SampleReader.ONE_GPU, Tuple.of(probe.uuid()), false);
    assertSamplesReadByIndexOnly(one);
    assertTrue(one.stream().anyMatch(n -> "gpus_uuid_key".equals(n.getString("Index Name"))));
    List<JsonObject> hosts = explain(SampleReader.HOSTS, Tuple.tuple(), false);
    assertSamplesReadByIndexOnly(hosts);
  }
}
