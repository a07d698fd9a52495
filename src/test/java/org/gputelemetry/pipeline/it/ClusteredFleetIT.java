package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Fleet;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A same-cluster fleet of separate processes on a loopback Hazelcast cluster, from the shipped
 * single-role descriptors: two streamers ({@code conf/streamer.json}, a static split of the GPUs,
 * one pass with the sample's own timestamps), three collectors ({@code conf/collector.json}) and a
 * gateway ({@code conf/gateway.json}) on one PostgreSQL. The sample lands exactly once, also when
 * a collector is killed with SIGKILL in the middle of the stream; the gateway serves all of it.
 */
class ClusteredFleetIT {

  private static final int ROWS = DcgmSampleFile.ROWS;

  private final EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
  private Fleet fleet;
  @TempDir
  Path tmp;
  private String database;
  private JsonObject transport;

  @BeforeEach
  void fresh() {
    database = postgres.createDatabase("fleet");
    fleet = new Fleet(tmp.resolve("logs"));
    // a batch sent to the killed collector is sent again after 5 s (the default is 30 s)
    transport = LoopbackCluster.create().transportJson("5s", "3s");
  }

  @AfterEach
  void tearDown() {
    fleet.close();
    postgres.dropDatabase(database);
  }

  private PipelineProcess start(String id, String descriptor, JsonObject overrides, int port) {
    JsonObject d = Pipelines.merge(Pipelines.descriptor(descriptor), overrides.put("instanceId", id).put("transport", transport));
    return fleet.start(id, d, port);
  }

  private PipelineProcess collector(String id) {
    int ops = Ports.free();
    return start(id, "collector.json", new JsonObject()
        .put("collector", new JsonObject().put("batchSize", 500).put("store", postgres.settings(database).toJson()))
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", ops)), ops);
  }

  private PipelineProcess gateway(String id) {
    int port = Ports.free();
    return start(id, "gateway.json", new JsonObject().put("store", postgres.settings(database).toJson())
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", port)), port);
  }

  /** Streamer {@code index} of 2: one pass of its half of the GPUs at 100 rows/s per worker. */
  private PipelineProcess streamer(String id, int index) {
    int ops = Ports.free();
    return start(id, "streamer.json", new JsonObject()
        .put("streamer", new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", 100)
            .put("batchSize", 50).put("instanceIndex", index).put("instanceCount", 2))
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", ops)), ops);
  }

  private long rows() {
    return postgres.sampleRows(database);
  }

  private static long acknowledged(PipelineProcess streamer) {
    JsonObject s = streamer.readiness("streamer");
    return s == null || !s.getBoolean("finished", false) ? -1 : s.getLong("rowsAcknowledged");
  }

  /** The gateway's total over every GPU's telemetry, as a client sees it. */
  private static long servedSamples(PipelineProcess gateway) {
    JsonObject gpus = new JsonObject(gateway.get("/api/v1/gpus"));
    long total = 0;
    for (Object g : gpus.getJsonArray("gpus")) {
      String uuid = ((JsonObject) g).getString("uuid");
      total += new JsonObject(gateway.get("/api/v1/gpus/" + uuid + "/telemetry?limit=10000")).getLong("count");
    }
    return total;
  }

  @Test
  void twoStreamersThreeCollectorsAndAGatewayLandTheSampleExactlyOnceThoughACollectorIsKilled() throws Exception {
    List<PipelineProcess> collectors = List.of(collector("collector-1"), collector("collector-2"), collector("collector-3"));
    PipelineProcess gateway = gateway("gateway-1");
    for (PipelineProcess c : collectors) {
      c.ready(90);
    }
    gateway.ready(90);
    PipelineProcess first = streamer("streamer-1", 0);
    PipelineProcess second = streamer("streamer-2", 1);
    first.ready(90);
    second.ready(90);
    Poll.until("500 rows written\n" + fleet.logs(), 60, () -> rows() >= 500);

    collectors.get(0).kill(); // its unacknowledged batches time out at the streamers and go to the others

    Poll.until("every row acknowledged and written (have " + rows() + ")\n" + fleet.logs(), 120,
        () -> acknowledged(first) >= 0 && acknowledged(second) >= 0 && rows() >= ROWS);
    assertEquals(ROWS, acknowledged(first) + acknowledged(second), "the two streamers split the sample");
    Thread.sleep(2_000);
    assertEquals(ROWS, rows(), "exactly the sample's rows, once each\n" + fleet.logs());
    assertEquals(DcgmSampleFile.GPUS, new JsonObject(gateway.get("/api/v1/gpus")).getInteger("count"));
    assertEquals(ROWS, servedSamples(gateway), "the gateway serves every sample");
  }
}
