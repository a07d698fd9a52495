package org.gputelemetry.pipeline.streamer.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.junit.jupiter.api.Test;

class SeriesBudgetTest {

  private static final long SECOND = 1_000_000L;
  private static final ScrapedGpu GPU =
      new ScrapedGpu("GPU-1", 0, "nvidia0", "H100", "node-1", null, null, null, null, null);

  /** A scrape at {@code atMicros} with one XID series per code in {@code codes} and one plain series. */
  private static ScrapeResult scrape(long atMicros, String prefix, int codes) {
    List<ScrapedSample> samples = new ArrayList<>();
    samples.add(new ScrapedSample(GPU, "DCGM_FI_DEV_GPU_TEMP", atMicros, 40, null, null, null, new TreeMap<>()));
    for (int i = 0; i < codes; i++) {
      TreeMap<String, String> labels = new TreeMap<>();
      labels.put("err_code", prefix + i);
      samples.add(new ScrapedSample(GPU, "DCGM_FI_DEV_XID_ERRORS", atMicros, 1, null, null, null, labels));
    }
    return new ScrapeResult(new ScrapeTarget("http://127.0.0.1:9400/metrics", null), samples, new ScrapeRejects(),
        ExpositionFormat.PROMETHEUS_TEXT, atMicros, 1, 1, Set.of(GPU.uuid()));
  }

  @Test
  void knownSeriesAlwaysPassAndNewOnesOnlyWhileThereIsRoom() {
    SeriesBudget budget = new SeriesBudget(10, 60 * SECOND);
    ScrapeResult first = scrape(0, "a", 5);
    assertSame(first, budget.admit(first), "within budget: the scrape as it came");
    assertEquals(6, budget.size());

    ScrapeResult churn = budget.admit(scrape(SECOND, "b", 8));
    assertEquals(5, churn.samples().size(), "the plain series and the first 4 new codes");
    assertEquals(4, churn.rejects().count(ScrapeRejectReason.SERIES_LIMIT));
    assertEquals(10, budget.size());
    assertEquals("b3", churn.samples().get(4).labels().get("err_code"));

    ScrapeResult again = scrape(2 * SECOND, "a", 5);
    assertSame(again, budget.admit(again), "series the budget holds keep passing while it is full");
  }

  @Test
  void seriesNotSeenForForgetAfterGiveTheirRoomBack() {
    SeriesBudget budget = new SeriesBudget(10, 60 * SECOND);
    budget.admit(scrape(0, "a", 9));
    assertEquals(9, budget.admit(scrape(30 * SECOND, "b", 9)).rejects().count(ScrapeRejectReason.SERIES_LIMIT));
    // only the plain series was seen since; the a-codes are older than forgetAfter
    ScrapeResult later = budget.admit(scrape(61 * SECOND, "b", 9));
    assertEquals(0, later.rejects().count(ScrapeRejectReason.SERIES_LIMIT));
    assertEquals(10, later.samples().size());
    assertEquals(10, budget.size());
  }

  @Test
  void aFloodOfNewSeriesIsBoundedByTheBudget() {
    SeriesBudget budget = new SeriesBudget(1_000, 3_600 * SECOND);
    int admitted = 0;
    int rejected = 0;
    for (int i = 0; i < 50; i++) {
      ScrapeResult r = budget.admit(scrape(i * SECOND, "s" + i + "-", 500));
      admitted += r.samples().size();
      rejected += r.rejects().count(ScrapeRejectReason.SERIES_LIMIT);
    }
    assertEquals(1_000, budget.size());
    assertEquals(50 * 501, admitted + rejected);
    assertEquals(50 * 501 - 1_000 - 49, rejected, "the plain series passes every scrape, the rest once room ran out");
  }
}
