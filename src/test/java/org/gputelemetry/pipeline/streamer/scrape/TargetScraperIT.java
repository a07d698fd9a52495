package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.testutil.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TargetScraper} against a fake exporter on loopback. */
class TargetScraperIT {

  private Vertx vertx;
  private FakeExporter exporter;
  private TargetScraper scraper;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    exporter = FakeExporter.start(vertx);
    // generous: a cold JVM on a loaded CI machine can take seconds over its first scrape
    scraper = scraperWithTimeout("20s");
  }

  @AfterEach
  void stop() {
    scraper.close();
    exporter.close();
    Await.await(vertx.close());
  }

  private TargetScraper scraperWithTimeout(String timeout) {
    return new TargetScraper(vertx, ScrapeSettings.fromJson(new JsonObject()
        .put("timeout", timeout).put("maxResponseBytes", 64 * 1024), "streamer.source"));
  }

  private ScrapeException failure(Future<ScrapeResult> f) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof ScrapeException, e.getCause().toString());
    return (ScrapeException) e.getCause();
  }

  @Test
  void scrapesAndMapsARecordedNode() {
    exporter.answer("/metrics", FakeExporter.Answer.fixture(Fixtures.H100_8GPU));
    ScrapeResult r = Await.await(scraper.scrape(new ScrapeTarget(exporter.url("/metrics"), "node-7")));
    assertEquals(98, r.samples().size());
    assertEquals(8, r.gpuUuids().size());
    assertEquals(ExpositionFormat.PROMETHEUS_TEXT, r.format());
    assertEquals(Fixtures.bytes(Fixtures.H100_8GPU).length, r.bodyBytes());
    assertTrue(r.samples().stream().allMatch(s -> s.gpu().hostname().equals("node-7")));
    assertTrue(r.samples().stream().allMatch(s -> s.timestampMicros() == r.startedMicros()));
    assertTrue(r.durationNanos() > 0);
  }

  @Test
  void openMetricsContentTypeSelectsTheOpenMetricsGrammar() {
    exporter.answer("/om", FakeExporter.Answer.fixture(Fixtures.OPENMETRICS).withContentType(FakeExporter.OPENMETRICS));
    ScrapeResult r = Await.await(scraper.scrape(new ScrapeTarget(exporter.url("/om"), null)));
    assertEquals(ExpositionFormat.OPENMETRICS, r.format());
    assertEquals(2, r.samples().size());
    assertEquals(1_733_140_800_250_000L, r.samples().get(0).timestampMicros());
  }

  @Test
  void brokenLinesAreRejectsNotAFailedScrape() {
    exporter.answer("/broken", FakeExporter.Answer.fixture(Fixtures.BROKEN));
    ScrapeResult r = Await.await(scraper.scrape(new ScrapeTarget(exporter.url("/broken"), null)));
    assertEquals(2, r.samples().size());
    assertEquals(10, r.rejects().total());
  }

  @Test
  void aSilentExporterTimesOut() {
    exporter.answer("/hang", FakeExporter.Answer.silent());
    TargetScraper quick = scraperWithTimeout("2s");
    try {
      long t0 = System.nanoTime();
      ScrapeException e = failure(quick.scrape(new ScrapeTarget(exporter.url("/hang"), null)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(ScrapeException.Kind.TIMEOUT, e.kind());
      assertTrue(ms >= 1900 && ms < 10_000, "took " + ms + " ms");
    } finally {
      quick.close();
    }
  }

  @Test
  void aClosedPortIsAConnectFailure() {
    // a port nothing listens on and this scraper never had a connection to (a kept-alive
    // connection to an exporter that just went away fails as IO, not as a refused connect)
    int port = org.gputelemetry.pipeline.testutil.Ports.free();
    ScrapeException e = failure(scraper.scrape(new ScrapeTarget("http://127.0.0.1:" + port + "/metrics", null)));
    assertEquals(ScrapeException.Kind.CONNECT, e.kind());
  }

  @Test
  void aNon200StatusFailsTheScrape() {
    exporter.answer("/503", FakeExporter.Answer.status(503));
    ScrapeException e = failure(scraper.scrape(new ScrapeTarget(exporter.url("/503"), null)));
    assertEquals(ScrapeException.Kind.HTTP_STATUS, e.kind());
    assertTrue(e.getMessage().startsWith("HTTP 503"), e.getMessage());
  }

  @Test
  void aBodyOverTheLimitIsRefusedWhetherDeclaredOrStreamed() {
    exporter.answer("/big", FakeExporter.Answer.body(new byte[100 * 1024]));
    assertEquals(ScrapeException.Kind.TOO_LARGE, failure(scraper.scrape(new ScrapeTarget(exporter.url("/big"), null))).kind());
    exporter.answer("/endless", FakeExporter.Answer.streamingForever());
    ScrapeException e = failure(scraper.scrape(new ScrapeTarget(exporter.url("/endless"), null)));
    assertEquals(ScrapeException.Kind.TOO_LARGE, e.kind());
    assertTrue(e.getMessage().contains("65536"), e.getMessage());
  }
}
