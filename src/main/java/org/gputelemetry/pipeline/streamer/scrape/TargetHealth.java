package org.gputelemetry.pipeline.streamer.scrape;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * A target's state after its latest scrape, as {@code GET /api/v1/targets} shows it. Immutable.
 *
 * @param health {@code up} after a successful scrape, {@code down} after a failed one,
 *     {@code unknown} before the first
 * @param lastScrapeMicros when the latest scrape started, or -1 before the first
 * @param lastError the latest failure's message, null after a success
 * @param samples samples the latest successful scrape yielded (0 when down)
 * @param rejects lines and series the latest successful scrape skipped
 * @param scrapes scrapes attempted since start, failures included
 * @param failures failed scrapes since start
 * @param consecutiveFailures failures since the last success (what the backoff doubles on)
 * @param gpus the GPUs this target has shown, with when each was last seen and whether it is stale
 *     (absent from the latest scrape, or the target is down)
 */
public record TargetHealth(String url, String hostname, String health, long lastScrapeMicros, String lastError,
                           int samples, int rejects, double scrapeDurationSeconds, long scrapes, long failures,
                           int consecutiveFailures, List<GpuPresence> gpus) {

  public static final String UP = "up";
  public static final String DOWN = "down";
  public static final String UNKNOWN = "unknown";

  /**
   * One GPU a target has shown.
   *
   * @param lastSeenMicros the start of the latest scrape that had a sample of it
   */
  public record GpuPresence(String uuid, long lastSeenMicros, boolean stale) {

    public JsonObject toJson() {
      return new JsonObject().put("uuid", uuid).put("status", stale ? "stale" : "ok")
          .put("last_seen", Timestamps.format(lastSeenMicros));
    }
  }

  public boolean up() {
    return UP.equals(health);
  }

  /** The REST shape: {@code url, hostname, health, last_scrape, last_error, samples, ...}. */
  public JsonObject toJson() {
    JsonArray g = new JsonArray();
    gpus.forEach(p -> g.add(p.toJson()));
    return new JsonObject()
        .put("url", url)
        .put("hostname", hostname)
        .put("health", health)
        .put("last_scrape", lastScrapeMicros < 0 ? null : Timestamps.format(lastScrapeMicros))
        .put("last_error", lastError)
        .put("samples", samples)
        .put("rejects", rejects)
        .put("scrape_duration_seconds", scrapeDurationSeconds)
        .put("scrapes", scrapes)
        .put("failures", failures)
        .put("consecutive_failures", consecutiveFailures)
        .put("gpus", g);
  }
}
