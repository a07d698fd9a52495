package org.gputelemetry.pipeline.it;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL lost in the middle of a stream: the all-in-one pipeline replays the sample once with
 * processing-time stamps (every row a distinct sample), PostgreSQL is stopped while rows flow and
 * started again. The collector holds and retries its batches, the streamer waits for their
 * acknowledgements, and in the end the database holds every row exactly once.
 */
class PostgresCollectorOutageIT {

  private final EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
  private final String database = server.createDatabase("collector_outage");
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    server.start();
    await(vertx.close());
    server.dropDatabase(database);
  }

  private long rows() {
    return server.sampleRows(database);
  }

  @Test
  void nothingIsLostAndNothingDoubledWhenPostgresGoesAwayMidStream() throws Exception {
    int total = SampleCsv.rows().size();
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one-postgres.json"), new JsonObject()
        // 2 workers x 250 rows/s: the 2,470 rows take about 5 s
        .put("streamer", new JsonObject().put("loopMode", false).put("timestampMode", "processing").put("rate", 250))
        .put("collector", new JsonObject().put("batchSize", 500).put("store", new JsonObject()
            .put("port", server.port()).put("database", database).put("user", "postgres").put("sslMode", "disable")))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
    PipelineVerticle pipeline = Pipelines.deploy(vertx, descriptor);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));

    long deadline = System.currentTimeMillis() + 60_000;
    while (rows() < 300 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    long before = rows();
    assertTrue(before >= 300 && before < total, "mid-stream when PostgreSQL stops: " + before + " rows stored");

    server.stop();
    Thread.sleep(2_500); // rows keep coming; the collector's writes fail and are retried
    HttpResponse<Buffer> ready = await(client.get("/ready").send());
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertFalse(pipeline.streamer().finished().isComplete(), "unacknowledged rows hold the streamer");
    server.start();

    await(pipeline.streamer().finished(), 120);
    assertEquals(total, rows(), "every row once: nothing lost, nothing doubled");
    Thread.sleep(500);
    assertEquals(total, rows(), "and nothing arrives late");
    assertEquals(200, await(client.get("/ready").send()).statusCode());
    JsonObject gpus = await(client.get("/api/v1/gpus").send()).bodyAsJsonObject();
    assertEquals(DcgmSampleFile.GPUS, gpus.getInteger("count"));
  }
}
