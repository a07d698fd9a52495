package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.SampleCsv;

/**
 * REST query latency while ingesting: the all-in-one pipeline replays the sample live at
 * {@code --rate} rows/s (default 10,000) while {@code --clients} concurrent clients (default 50,
 * each a closed loop: next request when the previous answered) ask for one-minute windows of
 * random GPUs: {@code GET /api/v1/gpus/{uuid}/telemetry?metric=M&start_time=now-60s&end_time=now}
 * with a random metric (about 240 samples per GPU and metric at 10,000 rows/s), and, in the
 * second phase, the same paced at {@code --paced} requests/s in total (default 1,000), and in the
 * third, every metric of the window ({@code limit=1000}, the first page) flat out. Prints per run
 * and as medians: requests/s and latency p50/p99/max measured by the client (a JVM load generator
 * in the same process, on its own Vert.x instance). Usage:
 * {@code scripts/bench.sh rest [--clients 50 --rate 10000 --paced 1000 --runs 3 --seconds 20 --warmup 70 --instances 0]}
 * ({@code --instances}: the gateway's HTTP server instances, 0 = one per core as in production).
 */
public final class RestQueryBench {

  public static void main(String[] args) throws Exception {
    int clients = Integer.parseInt(BenchSupport.arg(args, "clients", "50"));
    int rate = Integer.parseInt(BenchSupport.arg(args, "rate", "10000"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "3"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "20"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "70"));
    int paced = Integer.parseInt(BenchSupport.arg(args, "paced", "1000"));
    int instances = Integer.parseInt(BenchSupport.arg(args, "instances", "0"));
    List<String> gpus = new ArrayList<>(SampleCsv.byGpu().keySet());
    List<String> metrics = SampleCsv.rows().stream().map(SampleCsv.Row::metric).distinct().toList();

    Vertx server = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      // the default store keeps 10,000 samples per GPU: about four minutes at 10,000 rows/s, enough for the window
      // a fixed port, as in production, so the gateway runs its instances (one per core by default)
      PipelineVerticle pipeline = Pipelines.deploy(server, Pipelines.merge(Pipelines.liveAllInOne(rate), new JsonObject()
          .put("gateway", new JsonObject().put("port", Ports.free()).put("instances", instances))));
      HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(pipeline.gatewayPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(clients));
      System.out.printf("ingesting %,d rows/s; filling a minute of history (%ds)%n", rate, warmup);
      // the window must be full: wait, while a few clients warm the JIT
      phase(http, clientVertx, gpus, metrics, Math.min(clients, 4), warmup, true, 0);
      for (int mode = 0; mode < 3; mode++) {
        boolean oneMetric = mode != 2;
        int rps = mode == 1 ? paced : 0;
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<Double> throughputs = new ArrayList<>();
        String what = (oneMetric ? "one metric (window ~" + Math.round(rate / (double) gpus.size() / metrics.size() * 60)
            + " samples)" : "all metrics (first page, limit 1000)")
            + (rps > 0 ? ", paced at " + rps + " requests/s" : ", flat out");
        for (int run = 1; run <= runs; run++) {
          double ingestBefore = pipeline.metrics().samplesPersisted.count();
          long t0 = System.nanoTime();
          Result r = phase(http, clientVertx, gpus, metrics, clients, seconds, oneMetric, rps);
          double elapsed = (System.nanoTime() - t0) / 1e9;
          Histogram h = r.latency();
          p50s.add(h.getValueAtPercentile(50) / 1000.0);
          p99s.add(h.getValueAtPercentile(99) / 1000.0);
          throughputs.add(r.requests() / elapsed);
          System.out.printf("run %d, %s: %,.0f requests/s (%d errors, %.0f samples per answer), p50 %.2f ms, "
                  + "p99 %.2f ms, max %.1f ms; ingest %,.0f rows/s%n", run, what, r.requests() / elapsed, r.errors(),
              r.samples() / (double) Math.max(1, r.requests()), h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
              (pipeline.metrics().samplesPersisted.count() - ingestBefore) / elapsed);
        }
        System.out.printf("rest, %d clients, %s, while ingesting %,d rows/s: median %,.0f requests/s, median p50 %.2f ms, "
                + "median p99 %.2f ms over %d runs of %ds%n", clients, what, rate, BenchSupport.median(throughputs),
            BenchSupport.median(p50s), BenchSupport.median(p99s), runs, seconds);
      }
    } finally {
      await(clientVertx.close());
      await(server.close());
    }
    System.out.printf("peak RSS %d MiB%n", BenchSupport.peakRssMiB());
  }

  private record Result(Histogram latency, long requests, long errors, long samples) {
  }

  /**
   * Runs {@code clients} loops for {@code seconds}: flat out (each sends its next request when the
   * previous one answered) when {@code rps} is 0, else each paced to {@code rps / clients} requests
   * per second, latency counted from when the request was due (no coordinated omission: a slow
   * answer delays the next request and that delay is counted).
   */
  private static Result phase(HttpClient http, Vertx vertx, List<String> gpus, List<String> metrics, int clients,
                              int seconds, boolean oneMetric, int rps) throws InterruptedException {
    Recorder latency = new Recorder(3);
    LongAdder requests = new LongAdder();
    LongAdder errors = new LongAdder();
    LongAdder samples = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    long intervalNanos = rps == 0 ? 0 : clients * 1_000_000_000L / rps;
    long start = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      long first = start + (intervalNanos == 0 ? 0 : intervalNanos * i / clients);
      Loop loop = new Loop(http, vertx, gpus, metrics, oneMetric, running, latency, requests, errors, samples, intervalNanos);
      vertx.runOnContext(v -> loop.next(first));
    }
    Thread.sleep(seconds * 1000L);
    running.set(false);
    Thread.sleep(500);
    return new Result(latency.getIntervalHistogram(), requests.sum(), errors.sum(), samples.sum());
  }

  /** Bytes of an answer kept: its uuid and count fields. */
  private static final int HEAD_BYTES = 256;

  /** One client: a request at a time, flat out or paced. */
  private record Loop(HttpClient http, Vertx vertx, List<String> gpus, List<String> metrics, boolean oneMetric,
                      AtomicBoolean running, Recorder latency, LongAdder requests, LongAdder errors, LongAdder samples,
                      long intervalNanos) {

    /** Sends the request due at {@code due} (nanoTime), now or when it is due. */
    void next(long due) {
      if (!running.get()) {
        return;
      }
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        vertx.setTimer(wait / 1_000_000, id -> send(due));
      } else {
        send(due);
      }
    }

    private void send(long due) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String gpu = gpus.get(random.nextInt(gpus.size()));
      Instant end = Instant.now();
      String uri = "/api/v1/gpus/" + URLEncoder.encode(gpu, StandardCharsets.UTF_8) + "/telemetry?start_time="
          + end.minusSeconds(60) + "&end_time=" + end
          + (oneMetric ? "&metric=" + metrics.get(random.nextInt(metrics.size())) : "&limit=1000");
      // late (the previous answer came after this one was due): count from when it was due; early
      // (timers have millisecond granularity): from now
      long t0 = intervalNanos == 0 ? System.nanoTime() : Math.max(due, System.nanoTime());
      // the answer is read and dropped as it arrives, as wrk does: the load generator shares the
      // cores with the gateway, so it keeps only the head it takes the sample count from
      http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri))
          .compose(req -> req.send().compose(resp -> {
            if (resp.statusCode() != 200) {
              return resp.end().transform(ignored -> Future.failedFuture("HTTP " + resp.statusCode()));
            }
            Buffer head = Buffer.buffer(HEAD_BYTES);
            resp.handler(chunk -> {
              if (head.length() < HEAD_BYTES) {
                head.appendBuffer(chunk, 0, Math.min(chunk.length(), HEAD_BYTES - head.length()));
              }
            });
            return resp.end().map(ignored -> head);
          }))
          .onComplete(ar -> {
            long done = System.nanoTime();
            if (running.get()) {
              latency.recordValue(Math.max(0, done - t0) / 1000);
              requests.increment();
              if (ar.failed()) {
                errors.increment();
              } else {
                // "count" is the second field of the answer: {"uuid":..., "count":N, ...}
                String text = ar.result().toString();
                int at = text.indexOf("\"count\":") + 8;
                samples.add(Long.parseLong(text.substring(at, text.indexOf(',', at))));
              }
            }
            next(intervalNanos == 0 ? done : due + intervalNanos);
          });
    }
  }
}
