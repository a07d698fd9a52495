package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.config.Descriptors;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.RedisServer;

/**
 * The Redis bridge flat out: streamer → Redis Stream (a real {@code redis-server} on 127.0.0.1,
 * AOF on with {@code appendfsync everysec}, as the chart runs it) → collector → memory store, both
 * roles in one JVM so the figure is the bridge's, not the machine's process count. In the same run
 * the local transport gives the baseline. Prints rows/s committed (median of timed windows after a
 * warm-up) and the ratio. Usage: {@code scripts/bench.sh redis [--runs 5 --seconds 10 --warmup 10 --batch 1000 --aof on|off]}.
 */
public final class RedisBridgeBench {

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "10"));
    int batch = Integer.parseInt(BenchSupport.arg(args, "batch", "1000"));
    boolean aof = !"off".equals(BenchSupport.arg(args, "aof", "on"));
    JsonObject base = Pipelines.merge(Descriptors.bundled(Descriptors.DEFAULT).orElseThrow(), new JsonObject()
        .put("roles", List.of("streamer", "collector"))
        .put("streamer", new JsonObject().put("rate", 0).put("loopMode", true).put("timestampMode", "processing")
            .put("batchSize", batch))
        .put("ops", new JsonObject().put("enabled", false)));

    double local = BenchSupport.median(measure("local", base, runs, seconds, warmup));

    Path spool = Files.createTempDirectory("bench-spool-");
    try (RedisServer redis = RedisServer.launch(null, null, aof ? List.of() : List.of("--appendonly", "no"))) {
      JsonObject viaRedis = Pipelines.merge(base, new JsonObject().put("transport", new JsonObject().put("type", "redis")
          .put("redis", new JsonObject().put("host", "127.0.0.1").put("port", redis.port()))
          .put("spool", new JsonObject().put("dir", spool.toString()))));
      double bridged = BenchSupport.median(measure("redis", viaRedis, runs, seconds, warmup));
      System.out.printf("%nRedis bridge: median %,.0f rows/s; local transport (same run): median %,.0f rows/s; "
          + "ratio %.2f; batches of %d rows; Redis AOF %s; peak RSS %d MiB%n", bridged, local, bridged / local, batch,
          aof ? "on (appendfsync everysec)" : "off", BenchSupport.peakRssMiB());
    } finally {
      EmbeddedPostgresServer.deleteTree(spool);
    }
  }

  private static List<Double> measure(String name, JsonObject descriptor, int runs, int seconds, int warmup)
      throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    try {
      PipelineVerticle pipeline = new PipelineVerticle();
      await(vertx.deployVerticle(pipeline, new DeploymentOptions().setConfig(descriptor)), 120);
      Thread.sleep(warmup * 1000L);
      return BenchSupport.committedRates(name, pipeline, runs, seconds);
    } finally {
      await(vertx.close(), 60);
    }
  }
}
