package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.config.Descriptors;
import org.gputelemetry.pipeline.testutil.Pipelines;

/**
 * Runs the in-process path (streamer → local transport → collector → memory store) flat out from
 * the shipped all-in-one descriptor, and prints rows/s committed (median of several timed runs,
 * after a warm-up) and the JVM's peak RSS. Usage: {@code scripts/bench.sh inprocess}.
 */
public final class InProcessPipelineBench {

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "10"));
    JsonObject descriptor = Pipelines.merge(Descriptors.bundled(Descriptors.DEFAULT).orElseThrow(), new JsonObject()
        .put("roles", List.of("streamer", "collector"))
        .put("streamer", new JsonObject().put("rate", 0).put("loopMode", true).put("timestampMode", "processing")));
    List<Double> rates = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      PipelineVerticle pipeline = new PipelineVerticle();
      await(vertx.deployVerticle(pipeline, new DeploymentOptions().setConfig(descriptor)), 120);
      Thread.sleep(warmup * 1000L);
      rates.addAll(BenchSupport.committedRates("in-process", pipeline, runs, seconds));
    } finally {
      await(vertx.close());
    }
    System.out.printf("in-process pipeline: median %,.0f rows/s over %d runs of %ds (min %,.0f, max %,.0f); peak RSS %d MiB%n",
        BenchSupport.median(rates), runs, seconds, rates.stream().mapToDouble(d -> d).min().orElse(0),
        rates.stream().mapToDouble(d -> d).max().orElse(0), BenchSupport.peakRssMiB());
  }
}
