package org.gputelemetry.pipeline.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeListener;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeResult;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeTargets;
import org.gputelemetry.pipeline.streamer.scrape.TargetScraper;
import org.gputelemetry.pipeline.testutil.Await;

/**
 * Scraping over HTTP on loopback: {@code --endpoints} fake exporters (default 1,000, each its own
 * HTTP server on 127.0.0.1 serving a synthetic 8 GPU × 20 metric body, see
 * {@link ScrapeParseBench}) scraped by one {@link ScrapeTargets} every {@code --interval} with
 * {@code --concurrency} slots. Prints samples/s scraped, parsed and mapped (median of
 * {@code --runs} windows of {@code --seconds}) and per CPU-second of the whole JVM, which also
 * runs the fake exporters: an upper bound on the scraper's cost.
 * Usage: {@code java -cp ... org.gputelemetry.pipeline.bench.ScrapeLoopbackBench [--endpoints 1000 --interval 1s --timeout 10s --concurrency 64 --runs 5 --seconds 5 --warmup 5]}.
 */
public final class ScrapeLoopbackBench {

  public static void main(String[] args) throws Exception {
    int endpoints = Integer.parseInt(BenchSupport.arg(args, "endpoints", "1000"));
    String interval = BenchSupport.arg(args, "interval", "1s");
    String timeout = BenchSupport.arg(args, "timeout", "10s");
    int concurrency = Integer.parseInt(BenchSupport.arg(args, "concurrency", "64"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "5"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "5"));
    Vertx vertx = Vertx.vertx();
    List<byte[]> bodies = ScrapeParseBench.bodies(endpoints);
    List<HttpServer> servers = new ArrayList<>();
    List<ScrapeTarget> targets = new ArrayList<>();
    for (byte[] body : bodies) {
      Buffer buffer = Buffer.buffer(body);
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(buffer));
      Await.await(server.listen());
      servers.add(server);
      targets.add(new ScrapeTarget("http://127.0.0.1:" + server.actualPort() + "/metrics", null));
    }
    ScrapeSettings settings = ScrapeSettings.fromJson(new JsonObject().put("interval", interval)
        .put("timeout", timeout).put("concurrency", concurrency), "streamer.source");
    AtomicLong samples = new AtomicLong();
    AtomicLong scrapes = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    ScrapeListener listener = new ScrapeListener() {
      @Override
      public void scraped(ScrapeResult result) {
        samples.addAndGet(result.samples().size());
        scrapes.incrementAndGet();
      }

      @Override
      public void failed(ScrapeTarget target, org.gputelemetry.pipeline.streamer.scrape.ScrapeException error) {
        failures.incrementAndGet();
      }
    };
    CompletableFuture<ScrapeTargets> created = new CompletableFuture<>();
    TargetScraper scraper = new TargetScraper(vertx, settings);
    vertx.runOnContext(v -> created.complete(new ScrapeTargets(vertx, scraper, settings, listener)));
    ScrapeTargets scheduler = created.get();
    Await.await(scheduler.setTargets(targets));
    System.out.printf("%d endpoints x 8 GPUs x 20 metrics every %s, concurrency %d: %,d samples per round%n",
        endpoints, interval, concurrency, endpoints * 160);
    Thread.sleep(warmup * 1000L);
    List<Double> rates = new ArrayList<>();
    List<Double> perCpu = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      long s0 = samples.get();
      long n0 = scrapes.get();
      long c0 = BenchSupport.processCpuNanos();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double wall = (System.nanoTime() - t0) / 1e9;
      double rate = (samples.get() - s0) / wall;
      double cpu = (samples.get() - s0) / ((BenchSupport.processCpuNanos() - c0) / 1e9);
      rates.add(rate);
      perCpu.add(cpu);
      System.out.printf("run %d: %,.0f samples/s scraped+parsed+mapped (%,.0f scrapes/s), %,.0f per CPU-second of the JVM%n",
          run, rate, (scrapes.get() - n0) / wall, cpu);
    }
    System.out.printf("median %,.0f samples/s, %,.0f samples per CPU-second (fake exporters included), %d failed scrapes,"
        + " max %d in flight, peak RSS %d MiB%n", BenchSupport.median(rates), BenchSupport.median(perCpu), failures.get(),
        scheduler.maxInFlight(), BenchSupport.peakRssMiB());
    Await.await(scheduler.stop());
    scraper.close();
    Await.await(Future.all(servers.stream().map(HttpServer::close).toList()));
    Await.await(vertx.close());
  }
}
