package org.gputelemetry.pipeline.streamer.source;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.streamer.GpuPartitioner;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.streamer.scrape.TargetHealth;
import org.gputelemetry.pipeline.testutil.Poll;
import org.jctools.queues.MpscArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two {@link DcgmExporterSource}s splitting 12 exporter URLs on loopback the way two streamers
 * do (by the membership's {@link Assignment}): disjoint shares that cover every target, on scale
 * up and on scale down, each target scraped by its owner only.
 */
class DcgmExporterSourceSplitIT {

  private static final int TARGETS = 12;
  private static final String BODY = "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-%d\",Hostname=\"h\"} 42\n";

  private Vertx vertx;
  private HttpServer server;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final List<DcgmExporterSource> sources = new ArrayList<>();

  @BeforeEach
  void exporters() {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer().requestHandler(req -> {
      hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
      req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
          .end(String.format(BODY, Integer.parseInt(req.path().substring(1))));
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void close() {
    sources.forEach(DcgmExporterSource::stop);
    await(vertx.close());
  }

  private List<ScrapeTarget> targets() {
    List<ScrapeTarget> out = new ArrayList<>();
    for (int i = 0; i < TARGETS; i++) {
      out.add(new ScrapeTarget("http://127.0.0.1:" + server.actualPort() + "/" + i, null));
    }
    return out;
  }

  private DcgmExporterSource start(AtomicReference<Assignment> share, String id) {
    DcgmExporterSource source = new DcgmExporterSource(targets(),
        ScrapeSettings.fromJson(new JsonObject().put("interval", "200ms"), "streamer.source"), id, 100_000, r -> {
        });
    sources.add(source);
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1 << 16);
    PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    Promise<Void> started = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> source.start(new TelemetrySource.Context(vertx, ring, () -> {
      Assignment a = share.get();
      Predicate<String> owns = url -> GpuPartitioner.owns(a, url);
      return owns;
    }, metrics)).onComplete(started));
    await(started.future());
    // keep the ring drained, as the batching loop does
    vertx.setPeriodic(20, t -> ring.clear());
    return source;
  }

  private static Set<String> urls(DcgmExporterSource s) {
    Set<String> out = new TreeSet<>();
    for (TargetHealth h : s.health()) {
      out.add(h.url());
    }
    return out;
  }

  private Set<String> allUrls() {
    Set<String> out = new TreeSet<>();
    targets().forEach(t -> out.add(t.url()));
    return out;
  }

  @Test
  void twoStreamersSplitTheTargetsAndOneTakesThemAllBack() {
    AtomicReference<Assignment> first = new AtomicReference<>(new Assignment(0, 1));
    DcgmExporterSource a = start(first, "a");
    Poll.until("one streamer scrapes all", 10, () -> urls(a).equals(allUrls()));

    // scale up: the membership gives each of two streamers its share
    first.set(new Assignment(0, 2));
    AtomicReference<Assignment> second = new AtomicReference<>(new Assignment(1, 2));
    DcgmExporterSource b = start(second, "b");
    Poll.until("two disjoint shares covering every target", 10, () -> {
      Set<String> ua = urls(a);
      Set<String> ub = urls(b);
      Set<String> both = new HashSet<>(ua);
      both.retainAll(ub);
      Set<String> union = new TreeSet<>(ua);
      union.addAll(ub);
      return both.isEmpty() && union.equals(allUrls()) && !ua.isEmpty() && !ub.isEmpty();
    });
    for (String url : urls(a)) {
      assertTrue(GpuPartitioner.owns(new Assignment(0, 2), url), url);
    }
    // every target keeps being scraped, at the interval (not twice as often)
    Map<String, Integer> before = snapshot();
    sleep(1_000);
    Map<String, Integer> after = snapshot();
    for (int i = 0; i < TARGETS; i++) {
      int n = after.getOrDefault("/" + i, 0) - before.getOrDefault("/" + i, 0);
      assertTrue(n >= 2 && n <= 7, "/" + i + " scraped " + n + " times in 1 s at a 200 ms interval");
    }
    Poll.until("each up", 10, () -> a.health().stream().allMatch(TargetHealth::up)
        && b.health().stream().allMatch(TargetHealth::up));
    assertEquals(TARGETS, a.health().size() + b.health().size());

    // scale down: b leaves, a owns everything again
    b.stop();
    first.set(new Assignment(0, 1));
    Poll.until("the remaining streamer scrapes all again", 10, () -> urls(a).equals(allUrls()));
  }

  private Map<String, Integer> snapshot() {
    Map<String, Integer> out = new ConcurrentHashMap<>();
    hits.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
