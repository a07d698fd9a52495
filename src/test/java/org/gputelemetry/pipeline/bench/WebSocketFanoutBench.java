package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.transport.Addresses;

/**
 * WebSocket fan-out: the all-in-one pipeline replays the sample live (default 2,500 rows/s: every
 * GPU's 10 metrics about once a second) while N clients on loopback (default 1,000) watch the
 * whole fleet. Prints, per timed run and as medians: samples delivered per second (all clients
 * together), frames per second, and the delivery latency from the store's commit to the client's
 * receipt, p50/p99/max.
 *
 * <p>Commit time is exact, not inferred: the collector stamps each batch it publishes with its
 * commit time (header {@code committed-micros}); the benchmark records it per sample key (uuid,
 * metric, timestamp) from its own consumer of the same address, and each client looks up the first
 * sample of every frame it receives (the oldest in that frame). Clients run in the same JVM on
 * their own Vert.x instance, so they compete with the server for the machine's cores.
 * Usage: {@code scripts/bench.sh websocket [--clients 1000 --rate 2500 --runs 3 --seconds 20 --warmup 10]}.
 */
public final class WebSocketFanoutBench {

  public static void main(String[] args) throws Exception {
    int clients = Integer.parseInt(BenchSupport.arg(args, "clients", "1000"));
    int rate = Integer.parseInt(BenchSupport.arg(args, "rate", "2500"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "3"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "20"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "10"));

    Vertx server = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Map<String, Long> committedAt = new ConcurrentHashMap<>();
    Recorder latency = new Recorder(3);
    LongAdder samples = new LongAdder();
    LongAdder frames = new LongAdder();
    LongAdder unmatched = new LongAdder();
    java.util.Queue<Pending> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    LongAdder droppedNotices = new LongAdder();
    List<Double> rates = new ArrayList<>();
    List<Double> frameRates = new ArrayList<>();
    List<Double> p50s = new ArrayList<>();
    List<Double> p99s = new ArrayList<>();
    try {
      PipelineVerticle pipeline = Pipelines.deploy(server, Pipelines.liveAllInOne(rate));
      int port = pipeline.gatewayPort();
      server.eventBus().<SampleBatch>localConsumer(Addresses.COMMITTED, msg -> {
        long at = Long.parseLong(msg.headers().get(Addresses.COMMITTED_MICROS_HEADER));
        for (Sample s : msg.body().samples()) {
          committedAt.put(key(s.gpu().uuid(), s.metric(), Timestamps.format(s.timestampMicros())), at);
        }
      });
      server.setPeriodic(5_000, id -> {
        long horizon = Timestamps.nowMicros() - 30_000_000L;
        committedAt.values().removeIf(v -> v < horizon);
      });

      WebSocketClient wsClient = clientVertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxMessageSize(1 << 24).setMaxFrameSize(1 << 20).setMaxConnections(clients + 10));
      List<ClientWebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < clients; i += 50) {
        List<Future<?>> connecting = new ArrayList<>();
        for (int j = i; j < Math.min(clients, i + 50); j++) {
          ClientWebSocket ws = wsClient.webSocket();
          ws.textMessageHandler(text -> {
            long now = Timestamps.nowMicros();
            if (text.charAt(0) == '[') {
              frames.increment();
              int n = 0;
              for (int k = text.indexOf('{'); k >= 0; k = text.indexOf('{', k + 1)) {
                n++;
              }
              samples.add(n);
              JsonObject first = new JsonObject(text.substring(1, text.indexOf('}') + 1));
              Long at = committedAt.get(key(first.getString("uuid"), first.getString("metric"), first.getString("timestamp")));
              if (at == null) {
                // the benchmark's own consumer of the committed batch may not have run yet: resolve later
                pending.add(new Pending(key(first.getString("uuid"), first.getString("metric"), first.getString("timestamp")), now));
              } else {
                latency.recordValue(Math.max(0, now - at));
              }
            } else if (text.contains("\"dropped\"")) {
              droppedNotices.add(new JsonObject(text).getLong("count"));
            }
          });
          sockets.add(ws);
          connecting.add(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/telemetry")));
        }
        await(Future.all(connecting), 60);
      }
      System.out.printf("%d clients connected (server counts %d); warming up %ds at %,d rows/s%n", clients,
          pipeline.gateway().feed().clients(), warmup, rate);
      Thread.sleep(warmup * 1000L);
      for (int run = 1; run <= runs; run++) {
        pending.clear();
        unmatched.reset();
        latency.getIntervalHistogram();
        samples.reset();
        frames.reset();
        double dropsBefore = pipeline.metrics().websocketDropped.count();
        double committedBefore = pipeline.metrics().samplesPersisted.count();
        long cpu0 = BenchSupport.processCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double cores = (BenchSupport.processCpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        for (Pending p; (p = pending.poll()) != null; ) {
          Long at = committedAt.get(p.key());
          if (at == null) {
            unmatched.increment();
          } else {
            latency.recordValue(Math.max(0, p.receivedMicros() - at));
          }
        }
        Histogram h = latency.getIntervalHistogram();
        double rateNow = samples.sum() / elapsed;
        rates.add(rateNow);
        frameRates.add(frames.sum() / elapsed);
        p50s.add(h.getValueAtPercentile(50) / 1000.0);
        p99s.add(h.getValueAtPercentile(99) / 1000.0);
        System.out.printf("run %d: %,.0f samples/s delivered (%,.0f frames/s) to %d clients, ingest %,.0f rows/s; "
                + "commit->client p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d frames timed); dropped %,.0f; CPU %.2f cores%n",
            run, rateNow, frames.sum() / elapsed, clients, (pipeline.metrics().samplesPersisted.count() - committedBefore) / elapsed,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
            h.getTotalCount(), pipeline.metrics().websocketDropped.count() - dropsBefore, cores);
      }
      sockets.forEach(ws -> ws.close());
    } finally {
      await(clientVertx.close());
      await(server.close());
    }
    System.out.printf("websocket fan-out, %d clients, whole fleet at %,d rows/s: median %,.0f samples/s delivered "
            + "(%,.0f frames/s); commit->client latency median p50 %.1f ms, median p99 %.1f ms over %d runs of %ds "
            + "(frames of the last run whose first sample was never seen committed: %d); peak RSS %d MiB%n",
        clients, rate, BenchSupport.median(rates), BenchSupport.median(frameRates), BenchSupport.median(p50s),
        BenchSupport.median(p99s), runs, seconds, unmatched.sum(), BenchSupport.peakRssMiB());
  }

  private record Pending(String key, long receivedMicros) {
  }

  private static String key(String uuid, String metric, String timestamp) {
    return uuid + '|' + metric + '|' + timestamp;
  }
}
