package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Fleet;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edge → Redis → central across real processes, as {@code conf/edge.json} and
 * {@code conf/central.json} run them: one edge streamer process replays one pass of the sample
 * with its own timestamps, two collector processes write to PostgreSQL. Each test breaks
 * something mid-stream — a collector killed with SIGKILL, Redis killed and restarted from its AOF,
 * Redis gone for a while, the edge killed while spooling — and ends with exactly the sample's
 * 2,470 rows in PostgreSQL.
 */
class RedisBridgeIT {

  private static final int ROWS = DcgmSampleFile.ROWS;

  private final EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
  private Fleet fleet;
  @TempDir
  Path tmp;
  private String database;
  private String stream;
  private RedisServer redis;

  @BeforeEach
  void fresh(TestInfo info) {
    String name = info.getTestMethod().orElseThrow().getName();
    database = postgres.createDatabase("bridge");
    fleet = new Fleet(tmp.resolve("logs"));
    stream = "bridge-" + name;
    redis = RedisServer.launch(null, null);
  }

  @AfterEach
  void tearDown() {
    fleet.close();
    redis.close();
    postgres.dropDatabase(database);
  }

  private JsonObject transport() {
    return new JsonObject().put("type", "redis")
        .put("redis", new JsonObject().put("host", "127.0.0.1").put("port", redis.port()).put("stream", stream)
            .put("claimIdle", "2s").put("timeout", "2s"))
        .put("spool", new JsonObject().put("dir", tmp.resolve("spool").toString()).put("fsync", "always"));
  }

  /** A central collector process ({@code conf/central.json} without the gateway), on PostgreSQL. */
  private PipelineProcess collector(String id) {
    int ops = Ports.free();
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("central.json"), new JsonObject()
        .put("roles", List.of("collector")).put("instanceId", id)
        .put("collector", new JsonObject().put("batchSize", 500).put("store", postgres.settings(database).toJson()))
        .put("transport", transport())
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", ops)));
    return fleet.start(id, descriptor, ops);
  }

  /** The edge ({@code conf/edge.json}): one pass of the sample at {@code rate} rows/s per worker, source timestamps. */
  private PipelineProcess edge(String id, String csvPath, long rate) {
    int ops = Ports.free();
    JsonObject streamer = new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", rate)
        .put("batchSize", 50).put("workers", 2);
    if (csvPath != null) {
      streamer.put("csvPath", csvPath);
    }
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("edge.json"), new JsonObject()
        .put("instanceId", id).put("streamer", streamer).put("transport", transport())
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", ops)));
    return fleet.start(id, descriptor, ops);
  }

  private long rows() {
    return postgres.sampleRows(database);
  }

  private static boolean finished(PipelineProcess edge) {
    JsonObject s = edge.readiness("streamer");
    return s != null && s.getBoolean("finished", false) && s.getLong("rowsAcknowledged") == ROWS;
  }

  /** Waits for every row in PostgreSQL, then makes sure no more arrive (nothing doubled, nothing late). */
  private void expectEveryRowExactlyOnce(PipelineProcess edge) throws InterruptedException {
    Poll.until("all " + ROWS + " rows in PostgreSQL (have " + rows() + ")\n" + fleet.logs(), 90,
        () -> rows() >= ROWS && (edge == null || finished(edge)));
    Thread.sleep(2_000);
    assertEquals(ROWS, rows(), "exactly the sample's rows, once each\n" + fleet.logs());
  }

  /** Batches in the edge's spool, from its {@code /metrics}; -1 while it does not answer. */
  private static double spooled(PipelineProcess edge) {
    String metrics = edge.get("/metrics");
    return metrics == null ? -1 : PrometheusText.sum(metrics, "telemetry_spool_batches");
  }

  private void waitForRows(long atLeast) {
    Poll.until(atLeast + " rows written\n" + fleet.logs(), 60, () -> rows() >= atLeast);
  }

  @Test
  void collectorKilledMidStreamLosesNothing() throws Exception {
    PipelineProcess doomed = collector("central-a");
    collector("central-b").ready(60);
    doomed.ready(60);
    PipelineProcess edge = edge("edge-0", null, 100).ready(60);
    waitForRows(500);

    doomed.kill(); // its unacknowledged entries stay pending: the survivor claims them after claimIdle

    expectEveryRowExactlyOnce(edge);
  }

  @Test
  void redisKilledAndRestartedFromItsAofMidStreamLosesNothing() throws Exception {
    collector("central-a").ready(60);
    collector("central-b").ready(60);
    PipelineProcess edge = edge("edge-0", null, 100).ready(60);
    waitForRows(500);

    redis.restart();

    expectEveryRowExactlyOnce(edge);
  }

  @Test
  void redisOutageIsSpooledAtTheEdgeAndDrainedWhenRedisReturns() throws Exception {
    collector("central-a").ready(60);
    collector("central-b").ready(60);
    PipelineProcess edge = edge("edge-0", null, 100).ready(60);
    waitForRows(500);

    redis.stop();
    Poll.until("the edge spools while Redis is away\n" + edge.tail(), 30,
        () -> spooled(edge) > 10);
    assertTrue(edge.alive());
    Thread.sleep(2_000);
    redis.start();

    expectEveryRowExactlyOnce(edge);
    Poll.until("the spool is empty again", 30,
        () -> spooled(edge) == 0);
  }

  @Test
  void edgeKilledWhileSpoolingReplaysItsSpoolAfterARestart() throws Exception {
    redis.stop();
    // the whole pass goes into the spool while Redis is away
    PipelineProcess first = edge("edge-0", null, 0).up(60);
    Poll.until("the pass is in the spool\n" + first.tail(), 60, () -> finished(first));
    first.kill();

    redis.start();
    collector("central-a").ready(60);
    collector("central-b").ready(60);
    // the restarted edge has nothing new to read: every row must come from the old spool
    Path headerOnly = tmp.resolve("header-only.csv");
    Files.writeString(headerOnly, "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw\n");
    edge("edge-0-again", headerOnly.toString(), 0).ready(60);

    expectEveryRowExactlyOnce(null);
  }
}
