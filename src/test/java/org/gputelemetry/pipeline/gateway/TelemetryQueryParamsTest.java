package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import org.gputelemetry.pipeline.model.Timestamps;
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
}
