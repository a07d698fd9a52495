package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract for the Redis Streams bridge, against a real {@code redis-server} on
 * 127.0.0.1: an edge (streamer role) appends, a central collector reads through the consumer group.
 * A send completes once Redis holds the entry, so acknowledgement is the entry leaving the group's
 * pending list; a batch the collector failed or refused stays pending and is handed to it again.
 * The edge refuses a send as busy when Redis is away and its spool is full. What only Redis does
 * (claims, dead letters, the spool through outages, trimming, AUTH, TLS) is
 * {@code RedisStreamTransportIT}.
 */
class RedisStreamTransportContractIT extends TransportContractTest {

  private final String stream = "contract-" + System.nanoTime();
  @TempDir
  static Path tmp;
  private Redis raw;

  private JsonObject transportJson(int port, String stream, Path spoolDir, long spoolBytes) {
    return new JsonObject().put("type", "redis")
        .put("redis", new JsonObject().put("host", "127.0.0.1").put("port", port).put("stream", stream).put("timeout", "2s"))
        .put("spool", new JsonObject().put("dir", spoolDir.toString()).put("maxBytes", spoolBytes)
            .put("segmentBytes", 256 << 10));
  }

  private static Transport started(Vertx vertx, JsonObject json, String id, String role) {
    Transport t = Transports.create(vertx, TransportSettings.fromJson(json), id, List.of(role), TestMetrics.create());
    await(t.start());
    return t;
  }

  @Override
  Ends open(Vertx vertx, BatchConsumer consumer) {
    int port = RedisServer.shared().port();
    raw = Redis.createClient(vertx, "redis://127.0.0.1:" + port);
    Transport collector = started(vertx, transportJson(port, stream, tmp.resolve("unused"), 64L << 20), "central-0",
        PipelineSettings.COLLECTOR);
    await(collector.consume(consumer));
    Transport edge = started(vertx, transportJson(port, stream, tmp.resolve("spool"), 64L << 20), "edge-0",
        PipelineSettings.STREAMER);
    return new Ends(edge, collector);
  }

  @AfterAll
  void closeRaw() {
    if (raw != null) {
      await(raw.close());
    }
  }

  @Override
  boolean crossesTheWire() {
    return true;
  }

  /** The send completed and the consumer group holds nothing unacknowledged. */
  @Override
  boolean acknowledged(Future<Void> send) {
    return send.succeeded()
        && await(raw.send(Request.cmd(Command.XPENDING).arg(stream).arg("collectors")), 10).get(0).toLong() == 0;
  }

  /** An edge whose Redis is unreachable fills its 1 MiB spool, then refuses. */
  @Override
  Throwable refusalAsBusy(Vertx vertx) {
    Transport edge = started(vertx, transportJson(Ports.free(), "unreachable", tmp.resolve("small-spool"), 1 << 20),
        "edge-small", PipelineSettings.STREAMER);
    try {
      for (long i = 1; i <= 500; i++) {
        Throwable failure = failureOf(edge.send(new SampleBatch("edge-small", i, i, SAMPLE.subList(0, 1000))));
        if (failure != null) {
          return failure;
        }
      }
      return null;
    } finally {
      await(edge.close());
    }
  }

  /** A send on an edge that was closed. */
  @Override
  Throwable failureOtherThanBusy(Vertx vertx) {
    Transport edge = started(vertx, transportJson(RedisServer.shared().port(), stream, tmp.resolve("closed-spool"),
        64L << 20), "edge-closed", PipelineSettings.STREAMER);
    await(edge.close());
    return failureOf(edge.send(batch()));
  }

  /** The send's failure, or {@code null} when it succeeded. */
  private static Throwable failureOf(Future<Void> send) {
    try {
      send.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the send did not complete in 15 s", e);
    }
  }
}
