package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.Pipelines;

/**
 * The clustered event bus flat out: two members of a loopback Hazelcast cluster in one JVM, each
 * with its own launcher Vert.x and clustered Vert.x, as two processes would have them: a streamer
 * ({@code conf/streamer.json}, loop mode, no rate limit) and a collector with the memory store.
 * Every batch crosses TCP in the binary codec and is acknowledged after commit. Prints rows/s
 * committed (median of several timed windows, after a warm-up) and the JVM's peak RSS.
 * Usage: {@code scripts/bench.sh clustered [--runs 5 --seconds 10 --warmup 10]}.
 */
public final class ClusteredPipelineBench {

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "10"));
    JsonObject transport = LoopbackCluster.create().transportJson("30s");
    JsonObject noOps = new JsonObject().put("enabled", false);
    Vertx central = Vertx.vertx();
    Vertx edge = Vertx.vertx();
    List<Double> rates = new ArrayList<>();
    try {
      PipelineVerticle collector = Pipelines.deploy(central, Pipelines.merge(Pipelines.descriptor("collector.json"),
          new JsonObject().put("instanceId", "collector-0")
              .put("collector", new JsonObject().put("store", new JsonObject().put("type", "memory")))
              .put("ops", noOps).put("transport", transport)));
      Pipelines.deploy(edge, Pipelines.merge(Pipelines.descriptor("streamer.json"), new JsonObject()
          .put("instanceId", "streamer-0").put("ops", noOps).put("transport", transport)
          .put("streamer", new JsonObject().put("rate", 0).put("loopMode", true).put("timestampMode", "processing"))));
      Thread.sleep(warmup * 1000L);
      rates.addAll(BenchSupport.committedRates("clustered", collector, runs, seconds));
    } finally {
      // the streamer first: it waits a few seconds for its last acknowledgements, which need the collector
      await(edge.close(), 60);
      await(central.close(), 60);
    }
    System.out.printf("clustered event bus (2 members, loopback): median %,.0f rows/s over %d runs of %ds (min %,.0f, max %,.0f); "
            + "peak RSS %d MiB%n", BenchSupport.median(rates), runs, seconds,
        rates.stream().mapToDouble(d -> d).min().orElse(0), rates.stream().mapToDouble(d -> d).max().orElse(0),
        BenchSupport.peakRssMiB());
  }
}
