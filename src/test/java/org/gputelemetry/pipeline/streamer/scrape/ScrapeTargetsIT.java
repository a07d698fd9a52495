package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.testutil.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ScrapeTargets} scheduling real scrapes of fake exporters on loopback. */
class ScrapeTargetsIT {

  private Vertx vertx;
  private final List<FakeExporter> exporters = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ConcurrentLinkedQueue<ScrapeResult> results = new ConcurrentLinkedQueue<>();
  private final CopyOnWriteArrayList<String> errors = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Set<String>> staleEvents = new CopyOnWriteArrayList<>();

  private final ScrapeListener listener = new ScrapeListener() {
    @Override
    public void scraped(ScrapeResult result) {
      results.add(result);
    }

    @Override
    public void failed(ScrapeTarget target, ScrapeException error) {
      errors.add(error.kind() + ": " + error.getMessage());
    }

    @Override
    public void gpusStale(ScrapeTarget target, Set<String> uuids) {
      staleEvents.add(uuids);
    }
  };

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (FakeExporter e : exporters) {
      e.close();
    }
    Await.await(vertx.close());
  }

  private FakeExporter exporter() {
    FakeExporter e = FakeExporter.start(vertx);
    exporters.add(e);
    return e;
  }

  private ScrapeTargets targets(JsonObject settingsJson) {
    ScrapeSettings settings = ScrapeSettings.fromJson(settingsJson, "streamer.source");
    TargetScraper scraper = new TargetScraper(vertx, settings);
    closeables.add(scraper);
    ScrapeTargets t = new ScrapeTargets(vertx, scraper, settings, listener);
    closeables.add(0, () -> Await.await(t.stop()));
    return t;
  }

  private static void eventually(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("not within " + timeoutMs + " ms: " + what);
  }

  private static TargetHealth only(ScrapeTargets t) {
    List<TargetHealth> s = t.snapshot();
    assertEquals(1, s.size());
    return s.get(0);
  }

  @Test
  void scrapesEachTargetEverySecondAndReportsItUp() throws Exception {
    FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.fixture(Fixtures.H100_8GPU));
    ScrapeTargets t = targets(new JsonObject().put("interval", "1s"));
    Await.await(t.setTargets(List.of(new ScrapeTarget(e.url("/metrics"), "gpu-node-07"))));
    eventually("first scrape", 5_000, () -> e.hits("/metrics") >= 1);
    long t0 = System.nanoTime();
    int before = e.hits("/metrics");
    Thread.sleep(3_200);
    int scrapes = e.hits("/metrics") - before;
    assertTrue(scrapes >= 2 && scrapes <= 5, scrapes + " scrapes in " + (System.nanoTime() - t0) / 1e9 + " s");
    TargetHealth h = only(t);
    assertEquals(TargetHealth.UP, h.health());
    assertEquals(98, h.samples());
    assertEquals("gpu-node-07", h.hostname());
    assertNull(h.lastError());
    assertEquals(8, h.gpus().size());
    assertTrue(h.gpus().stream().noneMatch(TargetHealth.GpuPresence::stale));
    JsonObject json = t.toJson().getJsonArray("targets").getJsonObject(0);
    assertEquals("up", json.getString("health"));
    assertNotNull(json.getString("last_scrape"));
    assertEquals(98, json.getInteger("samples"));
    assertTrue(results.stream().allMatch(r -> r.samples().size() == 98));
  }

  @Test
  void aTargetThatTimesOutThenRefusesIsDownWithBackoffAndComesBack() throws Exception {
    FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.silent());
    int port = e.port();
    ScrapeTargets t = targets(new JsonObject().put("interval", "200ms").put("timeout", "150ms").put("backoffMax", "800ms"));
    Await.await(t.setTargets(List.of(new ScrapeTarget(e.url("/metrics"), null))));
    eventually("down after a timeout", 5_000, () -> only(t).health().equals(TargetHealth.DOWN));
    assertTrue(only(t).lastError().startsWith("timed out"), only(t).lastError());
    exporters.remove(e);
    e.close(); // now it refuses
    eventually("refused", 10_000, () -> only(t).lastError() != null && errors.stream().anyMatch(x -> x.startsWith("CONNECT")));
    eventually("backoff grows", 10_000, () -> only(t).consecutiveFailures() >= 4);
    // backed off: at most one attempt per 800 ms now
    long failuresBefore = only(t).failures();
    Thread.sleep(1_700);
    long attempts = only(t).failures() - failuresBefore;
    assertTrue(attempts >= 1 && attempts <= 3, attempts + " attempts in 1.7 s with an 800 ms backoff cap");
    FakeExporter back = FakeExporter.startOn(vertx, port).answer("/metrics", FakeExporter.Answer.fixture(Fixtures.V100_LEGACY));
    exporters.add(back);
    eventually("up again", 5_000, () -> only(t).up());
    TargetHealth h = only(t);
    assertEquals(0, h.consecutiveFailures());
    assertNull(h.lastError());
    assertEquals(8, h.samples());
    assertEquals(2, h.rejects()); // the two DCGM blanks
    // back on its interval: about five scrapes a second
    int hits = back.hits("/metrics");
    Thread.sleep(1_000);
    int perSecond = back.hits("/metrics") - hits;
    assertTrue(perSecond >= 3 && perSecond <= 7, perSecond + " scrapes in 1 s at a 200 ms interval");
  }

  @Test
  void aGpuThatStopsAppearingIsStaleAndRecovers() throws Exception {
    byte[] full = Fixtures.bytes(Fixtures.V100_LEGACY);
    String withoutGpu1 = new String(full, StandardCharsets.UTF_8).lines()
        .filter(l -> !l.contains("gpu=\"1\"")).collect(Collectors.joining("\n", "", "\n"));
    String gpu1 = "GPU-8d5053b3-9280-7d1a-751b-4fd2fdd547c5";
    FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.body(full));
    ScrapeTargets t = targets(new JsonObject().put("interval", "200ms"));
    Await.await(t.setTargets(List.of(new ScrapeTarget(e.url("/metrics"), null))));
    eventually("both GPUs seen", 5_000, () -> only(t).gpus().size() == 2);
    e.answer("/metrics", FakeExporter.Answer.body(withoutGpu1.getBytes(StandardCharsets.UTF_8)));
    eventually("GPU 1 stale", 5_000, () -> only(t).gpus().stream().anyMatch(g -> g.uuid().equals(gpu1) && g.stale()));
    assertTrue(staleEvents.contains(Set.of(gpu1)), staleEvents.toString());
    TargetHealth.GpuPresence stale = only(t).gpus().stream().filter(g -> g.uuid().equals(gpu1)).findFirst().orElseThrow();
    Thread.sleep(500);
    TargetHealth.GpuPresence later = only(t).gpus().stream().filter(g -> g.uuid().equals(gpu1)).findFirst().orElseThrow();
    assertEquals(stale.lastSeenMicros(), later.lastSeenMicros(), "last_seen stays at the last scrape that had it");
    assertEquals(1, staleEvents.size(), "reported once per transition");
    assertEquals("stale", only(t).toJson().getJsonArray("gpus").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("uuid").equals(gpu1)).findFirst().orElseThrow().getString("status"));
    e.answer("/metrics", FakeExporter.Answer.body(full));
    eventually("GPU 1 back", 5_000, () -> only(t).gpus().stream().noneMatch(TargetHealth.GpuPresence::stale));
  }

  @Test
  void concurrencyIsCappedAcrossTargets() throws Exception {
    List<ScrapeTarget> list = new ArrayList<>();
    List<FakeExporter> slow = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.fixture(Fixtures.V100_LEGACY).delayed(300));
      slow.add(e);
      list.add(new ScrapeTarget(e.url("/metrics"), "node-" + i));
    }
    ScrapeTargets t = targets(new JsonObject().put("interval", "200ms").put("timeout", "5s").put("concurrency", 2));
    Await.await(t.setTargets(list));
    eventually("every target scraped", 10_000, () -> slow.stream().allMatch(e -> e.hits("/metrics") >= 1)
        && t.snapshot().stream().allMatch(TargetHealth::up));
    int before = slow.stream().mapToInt(e -> e.hits("/metrics")).sum();
    Thread.sleep(1_200);
    int served = slow.stream().mapToInt(e -> e.hits("/metrics")).sum() - before;
    // two slots of 300 ms answers serve about 8 scrapes in 1.2 s; six uncapped targets would take about 24
    assertTrue(served >= 2 && served <= 11, served + " scrapes served in 1.2 s with 2 slots");
    assertEquals(2, t.maxInFlight());
    assertEquals(6, t.snapshot().size());
  }

  @Test
  void setTargetsAddsAndRemovesWithoutScrapingTwice() throws Exception {
    FakeExporter a = exporter().answer("/metrics", FakeExporter.Answer.fixture(Fixtures.V100_LEGACY));
    FakeExporter b = exporter().answer("/metrics", FakeExporter.Answer.fixture(Fixtures.A100_MIG));
    ScrapeTargets t = targets(new JsonObject().put("interval", "300ms"));
    ScrapeTarget ta = new ScrapeTarget(a.url("/metrics"), null);
    ScrapeTarget tb = new ScrapeTarget(b.url("/metrics"), null);
    Await.await(t.setTargets(List.of(ta)));
    eventually("a scraped", 5_000, () -> only(t).up());
    Await.await(t.setTargets(List.of(ta, tb)));
    eventually("b scraped", 5_000, () -> t.snapshot().size() == 2 && t.snapshot().stream().allMatch(TargetHealth::up));
    Await.await(t.setTargets(List.of(tb)));
    eventually("a removed", 5_000, () -> t.snapshot().size() == 1);
    int aHits = a.hits("/metrics");
    Thread.sleep(900);
    assertTrue(a.hits("/metrics") - aHits <= 1, "a removed target is not scheduled again");
    assertEquals(tb.url(), only(t).url());
    // the MIG node: 4 GPUs (1 whole + 3 instances)
    assertEquals(4, only(t).gpus().size());
    assertFalse(results.isEmpty());
  }

  /** One GPU's temperature and an XID series per error code {@code prefix0 .. prefix(n-1)}. */
  private static byte[] churning(String prefix, int codes) {
    StringBuilder b = new StringBuilder("# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n")
        .append("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-churn\",device=\"nvidia0\",modelName=\"H100\"} 41\n")
        .append("# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n");
    for (int i = 0; i < codes; i++) {
      b.append("DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-churn\",device=\"nvidia0\",modelName=\"H100\",err_code=\"")
          .append(prefix).append(i).append("\"} 1\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aTargetChurningLabelValuesIsHeldToItsSeriesBudget() throws Exception {
    FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.body(churning("a", 30)));
    ScrapeTargets t = targets(new JsonObject().put("interval", "200ms").put("maxSeriesPerTarget", 50));
    Await.await(t.setTargets(List.of(new ScrapeTarget(e.url("/metrics"), null))));
    eventually("a first scrape", 5_000, () -> !results.isEmpty());
    assertEquals(31, results.peek().samples().size());
    assertEquals(0, only(t).rejects());

    // every series new: 19 fit beside the 31 known ones, the other 21 are dropped and counted
    e.answer("/metrics", FakeExporter.Answer.body(churning("b", 40)));
    eventually("a scrape of the churned body", 5_000,
        () -> results.stream().anyMatch(r -> r.rejects().count(ScrapeRejectReason.SERIES_LIMIT) > 0));
    ScrapeResult churned = results.stream().filter(r -> r.rejects().count(ScrapeRejectReason.SERIES_LIMIT) > 0)
        .findFirst().orElseThrow();
    assertEquals(21, churned.rejects().count(ScrapeRejectReason.SERIES_LIMIT));
    assertEquals(20, churned.samples().size(), "the known temperature series and 19 new codes");
    eventually("the target's status counts them", 5_000, () -> only(t).rejects() == 21);
    assertEquals(TargetHealth.UP, only(t).health(), "a target over its budget is still up");

    // the series it holds keep flowing while the budget is full
    results.clear();
    e.answer("/metrics", FakeExporter.Answer.body(churning("a", 30)));
    eventually("a scrape of the first body again", 5_000,
        () -> results.stream().anyMatch(r -> r.samples().size() == 31 && r.rejects().total() == 0));
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheSchedule() throws Exception {
    FakeExporter e = exporter().answer("/metrics", FakeExporter.Answer.fixture(Fixtures.V100_LEGACY));
    ScrapeSettings settings = ScrapeSettings.fromJson(new JsonObject().put("interval", "200ms"), "streamer.source");
    TargetScraper scraper = new TargetScraper(vertx, settings);
    closeables.add(scraper);
    ScrapeTargets t = new ScrapeTargets(vertx, scraper, settings, r -> {
      throw new IllegalStateException("downstream broke");
    });
    closeables.add(0, () -> Await.await(t.stop()));
    Await.await(t.setTargets(List.of(new ScrapeTarget(e.url("/metrics"), null))));
    eventually("scraped again after the listener threw", 5_000, () -> e.hits("/metrics") >= 3);
    assertEquals(TargetHealth.UP, only(t).health());
  }
}
