package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link TargetsApi} keeps of the streamers' reports: the latest per target, sorted, until it expires. */
class TargetsApiTest {

  private static JsonObject report(String instance, long ttl, String... urls) {
    JsonArray targets = new JsonArray();
    for (String u : urls) {
      targets.add(new JsonObject().put("url", u).put("health", "up").put("streamer", instance));
    }
    return new JsonObject().put("instance", instance).put("ttlMillis", ttl).put("targets", targets);
  }

  private static List<String> urls(JsonObject body) {
    return body.getJsonArray("targets").stream().map(o -> ((JsonObject) o).getString("url")).toList();
  }

  @Test
  void keepsTheLatestPerTargetSortedByUrlAcrossStreamers() {
    TargetsApi api = new TargetsApi(null);
    api.accept(report("a", 3_000, "http://b/metrics", "http://a/metrics"), 0);
    api.accept(report("b", 3_000, "http://c/metrics"), 0);
    assertEquals(List.of("http://a/metrics", "http://b/metrics", "http://c/metrics"), urls(api.json(1_000)));
  }

  @Test
  void aTargetAStreamerNoLongerReportsIsDropped() {
    TargetsApi api = new TargetsApi(null);
    api.accept(report("a", 3_000, "http://a/metrics", "http://b/metrics"), 0);
    api.accept(report("a", 3_000, "http://a/metrics"), 1_000);
    // the other target moved to streamer b
    api.accept(report("b", 3_000, "http://b/metrics"), 1_000);
    JsonObject body = api.json(1_500);
    assertEquals(List.of("http://a/metrics", "http://b/metrics"), urls(body));
    assertEquals("b", body.getJsonArray("targets").getJsonObject(1).getString("streamer"));
  }

  @Test
  void reportsExpireWhenTheirStreamerStopsReporting() {
    TargetsApi api = new TargetsApi(null);
    api.accept(report("a", 3_000, "http://a/metrics"), 0);
    api.accept(report("b", 3_000, "http://b/metrics"), 2_000);
    assertEquals(List.of("http://b/metrics"), urls(api.json(4_000)));
    assertEquals(List.of(), urls(api.json(6_000)));
  }
}
