package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScrapeSettingsTest {

  private static final String P = "streamer.source";

  @Test
  void emptyJsonGivesTheDocumentedDefaults() {
    ScrapeSettings s = ScrapeSettings.defaults();
    assertEquals(Duration.ofSeconds(15), s.interval());
    assertEquals(Duration.ofSeconds(10), s.timeout());
    assertEquals(64, s.concurrency());
    assertEquals(16 * 1024 * 1024, s.maxResponseBytes());
    assertEquals(Duration.ofMinutes(5), s.backoffMax());
    assertEquals(Duration.ofHours(1), s.forgetAfter());
    assertEquals("UUID", s.uuidLabel());
    assertEquals(s, ScrapeSettings.fromJson(s.toJson(), P));
  }

  @Test
  void oneSecondIntervalWorksAndBoundsTheDefaultTimeout() {
    ScrapeSettings s = ScrapeSettings.fromJson(new JsonObject().put("interval", "1s"), P);
    assertEquals(Duration.ofSeconds(1), s.interval());
    assertEquals(Duration.ofSeconds(1), s.timeout());
    assertEquals(Duration.ofMillis(500), ScrapeSettings.fromJson(new JsonObject().put("interval", "500ms"), P).interval());
    assertEquals(Duration.ofMinutes(2), ScrapeSettings.fromJson(new JsonObject().put("interval", "2m"), P).interval());
    assertEquals(Duration.ofSeconds(30), ScrapeSettings.fromJson(new JsonObject().put("interval", 30), P).interval());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals("invalid configuration 'streamer.source.interval': not a duration: 'soon' (use e.g. 1s, 500ms, 5m)",
        assertThrows(IllegalArgumentException.class,
            () -> ScrapeSettings.fromJson(new JsonObject().put("interval", "soon"), P)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeSettings.fromJson(new JsonObject().put("interval", "10ms"), P)).getMessage()
        .startsWith("invalid configuration 'streamer.source.interval': must be at least 100ms"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeSettings.fromJson(new JsonObject().put("concurrency", 0), P)).getMessage()
        .startsWith("invalid configuration 'streamer.source.concurrency'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeSettings.fromJson(new JsonObject().put("uuidLabel", ""), P)).getMessage()
        .startsWith("invalid configuration 'streamer.source.uuidLabel'"));
  }

  @Test
  void targetsAreUrlsOrObjectsWithAHostname() {
    List<ScrapeTarget> t = ScrapeTarget.listFromJson(new JsonArray()
        .add("http://10.0.3.7:9400/metrics")
        .add(new JsonObject().put("url", "https://gpu-node-2:9400/metrics").put("hostname", "gpu-node-2")), P + ".targets");
    assertEquals("http://10.0.3.7:9400/metrics", t.get(0).url());
    assertNull(t.get(0).hostname());
    assertEquals("gpu-node-2", t.get(1).hostname());
  }

  @Test
  void badTargetsNameTheElement() {
    String k = P + ".targets";
    assertEquals("invalid configuration 'streamer.source.targets[1]': must be an http:// or https:// URL, got 'ftp://x/metrics'",
        assertThrows(IllegalArgumentException.class,
            () -> ScrapeTarget.listFromJson(new JsonArray().add("http://a:9400/metrics").add("ftp://x/metrics"), k)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeTarget.listFromJson(new JsonArray().add("http://a:9400/m").add("http://a:9400/m"), k)).getMessage()
        .contains("duplicate target"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeTarget.listFromJson(new JsonArray().add(new JsonObject().put("uri", "http://a/")), k)).getMessage()
        .startsWith("invalid configuration 'streamer.source.targets[0].uri': unknown key"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ScrapeTarget.listFromJson(new JsonArray().add(42), k)).getMessage()
        .startsWith("invalid configuration 'streamer.source.targets[0]'"));
  }
}
