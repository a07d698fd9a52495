package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.junit.jupiter.api.Test;

/** Request parameters of the telemetry route: relative times and order; every refusal names its parameter. */
class TelemetryQueryParamsTest {

  private static final long NOW = Timestamps.parseMicros("2026-01-02T03:04:05.123456Z");

  private static SampleQuery query(String... nameValues) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      params.add(nameValues[i], nameValues[i + 1]);
    }
    return TelemetryQueryParams.sampleQuery("GPU-1", params, NOW);
  }

  private static void refused(String parameter, String... nameValues) {
    ApiException e = assertThrows(ApiException.class, () -> query(nameValues));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("'" + parameter + "'"), e.getMessage());
  }

  @Test
  void relativeTimesCountBackFromNow() {
    SampleQuery q = query("start_time", "now-15m", "end_time", "now");
    assertEquals(NOW - 15 * 60_000_000L, q.startMicros());
    assertEquals(NOW, q.endMicros());
    assertEquals(NOW - 250_000L, query("start_time", "now-250ms").startMicros());
    assertEquals(NOW - 2_000_000L, query("start_time", "now-2s").startMicros());
    assertEquals(NOW - 12 * 3_600_000_000L, query("start_time", "now-12h").startMicros());
    assertEquals(NOW - 7 * 86_400_000_000L, query("end_time", "now-7d").endMicros());
    assertEquals(Long.MIN_VALUE, query().startMicros());
    assertEquals(Long.MAX_VALUE, query().endMicros());
    assertEquals(Timestamps.parseMicros("2025-07-18T20:42:34Z"), query("start_time", "2025-07-18T20:42:34Z").startMicros());
  }

  @Test
  void malformedRelativeTimesAreRefusedNamingTheParameter() {
    for (String bad : new String[] {"now-", "now-15", "now-15y", "now+1h", "now-1.5h", "now-99999999999999999999d",
        "now-999999999999999999d", "Now", "now-15m-1s", "-15m"}) {
      refused("start_time", "start_time", bad);
      refused("end_time", "end_time", bad);
    }
    refused("start_time", "start_time", "now", "end_time", "now-1h");
  }

  @Test
  void orderIsAscByDefaultAndDescOnRequest() {
    assertFalse(query().descending());
    assertFalse(query("order", "asc").descending());
    assertTrue(query("order", "desc").descending());
    for (String bad : new String[] {"DESC", "descending", "1", "asc,desc"}) {
      refused("order", "order", bad);
    }
  }

  private static TelemetryQueryParams.Downsampling downsampling(String... nameValues) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      params.add(nameValues[i], nameValues[i + 1]);
    }
    return TelemetryQueryParams.downsampling(params);
  }

  private static void downsamplingRefused(String parameter, String... nameValues) {
    ApiException e = assertThrows(ApiException.class, () -> downsampling(nameValues));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("'" + parameter + "'"), e.getMessage());
  }

  @Test
  void stepAndAggDefaultToRawAndToAvg() {
    assertEquals(null, downsampling());
    assertEquals(null, downsampling("limit", "5"));
    TelemetryQueryParams.Downsampling d = downsampling("step", "5m");
    assertEquals(300_000_000L, d.stepMicros());
    assertEquals(Aggregation.AVG, d.agg());
    assertEquals(250_000L, downsampling("step", "250ms", "agg", "last").stepMicros());
    assertEquals(Aggregation.LAST, downsampling("step", "250ms", "agg", "last").agg());
    assertEquals(86_400_000_000L, downsampling("step", "1d", "agg", "count").stepMicros());
  }

  @Test
  void badStepOrAggIsRefusedNamingIt() {
    downsamplingRefused("agg", "agg", "max");
    downsamplingRefused("agg", "step", "1m", "agg", "median");
    downsamplingRefused("agg", "step", "1m", "agg", "MAX");
    for (String bad : new String[] {"0s", "0ms", "5", "1.5m", "-1m", "1y", "now-1m", "999999999999999999d"}) {
      downsamplingRefused("step", "step", bad);
    }
    downsamplingRefused("cursor", "step", "1m", "cursor", "abc");
  }

  @Test
  void aWindowOfMoreThanTheMaximumBucketsIsRefusedWithAStepThatFits() {
    long day = 86_400_000_000L;
    TelemetryQueryParams.checkBucketCount(NOW, NOW + day, 10_000_000L); // 8,641 buckets: fits
    TelemetryQueryParams.checkBucketCount(NOW, NOW + 9_999_000_000L - 1, 1_000_000L); // exactly 10,000 or fewer
    for (long[] c : new long[][] {{NOW, NOW + day, 1_000_000L}, {NOW, NOW + 7 * day, 60_000_000L},
        {NOW - 1, NOW + 10_000_000L, 1_000L}, {Long.MIN_VALUE / 4, Long.MAX_VALUE / 4, 1L}}) {
      ApiException e = assertThrows(ApiException.class, () -> TelemetryQueryParams.checkBucketCount(c[0], c[1], c[2]));
      assertEquals(400, e.status());
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("parameter 'step': .* use step=(\\w+) or longer")
          .matcher(e.getMessage());
      assertTrue(m.find(), e.getMessage());
      long suggested = downsampling("step", m.group(1)).stepMicros();
      // the suggestion fits this window wherever it starts
      for (long shift = 0; shift < 5; shift++) {
        long at = c[0] + shift * 333_331L;
        assertTrue(BucketQuery.bucketCount(at, at + (c[1] - c[0]), suggested) <= BucketQuery.MAX_BUCKETS, e.getMessage());
      }
    }
  }
}
