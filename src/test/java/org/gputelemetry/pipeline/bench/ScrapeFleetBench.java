package org.gputelemetry.pipeline.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Await;
import org.gputelemetry.pipeline.testutil.Pipelines;

/**
 * The dcgm-exporter source end to end: {@code --endpoints} fake exporters on 127.0.0.1 (default
 * 1,000, each its own HTTP server serving a synthetic 8 GPU × 20 metric body, see
 * {@link ScrapeParseBench}) scraped by one streamer of the all-in-one pipeline (local transport,
 * memory store) every {@code --interval}. Prints samples/s scraped and mapped, samples/s committed
 * to the store, and both per CPU-second of the whole JVM (which also runs the fake exporters, the
 * collector and the store): lower bounds per core.
 * Usage: {@code java -cp ... org.gputelemetry.pipeline.bench.ScrapeFleetBench [--endpoints 1000 --interval 1s --concurrency 64 --runs 5 --seconds 5 --warmup 5]}.
 */
public final class ScrapeFleetBench {

  public static void main(String[] args) throws Exception {
    int endpoints = Integer.parseInt(BenchSupport.arg(args, "endpoints", "1000"));
    String interval = BenchSupport.arg(args, "interval", "1s");
    int concurrency = Integer.parseInt(BenchSupport.arg(args, "concurrency", "64"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "5"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "5"));
    Vertx exporters = Vertx.vertx();
    List<HttpServer> servers = new ArrayList<>();
    JsonArray targets = new JsonArray();
    for (byte[] body : ScrapeParseBench.bodies(endpoints)) {
      Buffer buffer = Buffer.buffer(body);
      HttpServer server = exporters.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(buffer));
      Await.await(server.listen());
      servers.add(server);
      targets.add("http://127.0.0.1:" + server.actualPort() + "/metrics");
    }
    Vertx vertx = Vertx.vertx();
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one.json"), new JsonObject()
        .put("streamer", new JsonObject().put("source", new JsonObject().put("type", "dcgm-exporter")
            .put("interval", interval).put("concurrency", concurrency).put("targets", targets)))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("ops", new JsonObject().put("enabled", false)));
    PipelineVerticle pipeline = Pipelines.deploy(vertx, descriptor);
    System.out.printf("%d endpoints x 8 GPUs x 20 metrics every %s, concurrency %d: %,d samples per round%n",
        endpoints, interval, concurrency, endpoints * 160);
    Thread.sleep(warmup * 1000L);
    List<Double> scraped = new ArrayList<>();
    List<Double> committed = new ArrayList<>();
    List<Double> perCpu = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double s0 = pipeline.metrics().scrapeSamples.count();
      double p0 = pipeline.metrics().samplesPersisted.count();
      long c0 = BenchSupport.processCpuNanos();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (BenchSupport.processCpuNanos() - c0) / 1e9;
      double s = (pipeline.metrics().scrapeSamples.count() - s0);
      double p = (pipeline.metrics().samplesPersisted.count() - p0);
      scraped.add(s / wall);
      committed.add(p / wall);
      perCpu.add(p / cpu);
      System.out.printf("run %d: %,.0f samples/s scraped+mapped, %,.0f samples/s committed, %,.0f committed per"
          + " CPU-second of the JVM (%.2f cores busy)%n", run, s / wall, p / wall, p / cpu, cpu / wall);
    }
    System.out.printf("median %,.0f samples/s scraped, %,.0f committed, %,.0f committed per CPU-second"
            + " (fake exporters included), %.0f failed scrapes, peak RSS %d MiB%n",
        BenchSupport.median(scraped), BenchSupport.median(committed), BenchSupport.median(perCpu),
        pipeline.metrics().scrapeErrors.count(), BenchSupport.peakRssMiB());
    Await.await(vertx.close());
    Await.await(exporters.close());
  }
}
