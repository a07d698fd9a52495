package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * How targets are scraped. Immutable; {@link #fromJson} reads the {@code streamer.source} keys of
 * the {@code dcgm-exporter} source, empty JSON giving the defaults.
 *
 * @param interval how often each target is scraped (default 15 s; at least 100 ms, so {@code 1s} works).
 *     dcgm-exporter collects every 30 s by default, so a shorter interval re-reads the same values
 *     unless the exporter's {@code -c} is lowered too
 * @param timeout the whole request, connect to last byte (default the smaller of 10 s and the interval)
 * @param concurrency scrapes in flight at once, all targets together (default 64)
 * @param maxResponseBytes a larger body is refused and the scrape counted as failed (default 16 MiB)
 * @param backoffMax a failing target is retried after interval × 2^(failures−1), at most this (default 5 min)
 * @param forgetAfter a GPU not seen for this long is dropped from its target's staleness list (default 1 h)
 * @param uuidLabel the exporter's UUID label name (its {@code --uuid-label}-style option; default {@code UUID})
 * @param maxSeriesPerTarget distinct series (GPU, metric, labels) one target may have in the last
 *     {@code forgetAfter}; samples of series past it are dropped and counted (default 50,000: a
 *     fully partitioned 8-GPU MIG node has a few thousand), so a target that churns label values
 *     cannot grow the streamer's, the store's and the dictionaries' memory without bound
 */
public record ScrapeSettings(Duration interval, Duration timeout, int concurrency, int maxResponseBytes,
                             Duration backoffMax, Duration forgetAfter, String uuidLabel, int maxSeriesPerTarget) {

  /** dcgm-exporter's default name of the label that carries the GPU UUID. */
  public static final String DEFAULT_UUID_LABEL = "UUID";

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  public static final Duration MAX_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
  public static final int DEFAULT_CONCURRENCY = 64;
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FORGET_AFTER = Duration.ofHours(1);
  public static final int DEFAULT_MAX_SERIES_PER_TARGET = 50_000;
  private static final Set<String> KEYS = Set.of("interval", "timeout", "concurrency", "maxResponseBytes",
      "backoffMax", "forgetAfter", "uuidLabel", "maxSeriesPerTarget");

  public ScrapeSettings {
    if (interval.toMillis() < 100) {
      throw new IllegalArgumentException("interval must be at least 100ms, got " + interval);
    }
    if (timeout.toMillis() < 10) {
      throw new IllegalArgumentException("timeout must be at least 10ms, got " + timeout);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    if (maxResponseBytes < 1024) {
      throw new IllegalArgumentException("maxResponseBytes must be at least 1024, got " + maxResponseBytes);
    }
    if (maxSeriesPerTarget < 1) {
      throw new IllegalArgumentException("maxSeriesPerTarget must be at least 1, got " + maxSeriesPerTarget);
    }
    if (backoffMax.compareTo(interval) < 0) {
      backoffMax = interval;
    }
  }

  public static ScrapeSettings defaults() {
    return fromJson(new JsonObject(), "streamer.source");
  }

  /**
   * Reads the scrape keys of {@code json} (other keys of the source block are left alone).
   *
   * @param prefix the block's key, for messages ({@code streamer.source})
   * @throws IllegalArgumentException naming the key
   */
  public static ScrapeSettings fromJson(JsonObject json, String prefix) {
    Duration interval = duration(json, prefix, "interval", DEFAULT_INTERVAL);
    Duration defTimeout = interval.compareTo(MAX_TIMEOUT_DEFAULT) < 0 ? interval : MAX_TIMEOUT_DEFAULT;
    Duration timeout = duration(json, prefix, "timeout", defTimeout);
    int concurrency = integer(json, prefix, "concurrency", DEFAULT_CONCURRENCY, 1, 10_000);
    int maxBytes = integer(json, prefix, "maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES, 1024, 1 << 30);
    Duration backoffMax = duration(json, prefix, "backoffMax", DEFAULT_BACKOFF_MAX);
    Duration forget = duration(json, prefix, "forgetAfter", DEFAULT_FORGET_AFTER);
    int maxSeries = integer(json, prefix, "maxSeriesPerTarget", DEFAULT_MAX_SERIES_PER_TARGET, 1, 10_000_000);
    Object label = json.getValue("uuidLabel", DEFAULT_UUID_LABEL);
    if (!(label instanceof String l) || l.isEmpty()) {
      throw invalid(prefix, "uuidLabel", "must be a non-empty label name");
    }
    try {
      return new ScrapeSettings(interval, timeout, concurrency, maxBytes, backoffMax, forget, l, maxSeries);
    } catch (IllegalArgumentException e) {
      String key = e.getMessage().substring(0, e.getMessage().indexOf(' '));
      throw invalid(prefix, key, e.getMessage().substring(key.length() + 1));
    }
  }

  /** The keys {@link #fromJson} reads, for a caller that rejects unknown keys. */
  public static Set<String> keys() {
    return KEYS;
  }

  public JsonObject toJson() {
    return new JsonObject().put("interval", interval.toMillis() + "ms").put("timeout", timeout.toMillis() + "ms")
        .put("concurrency", concurrency).put("maxResponseBytes", maxResponseBytes)
        .put("backoffMax", backoffMax.toMillis() + "ms").put("forgetAfter", forgetAfter.toMillis() + "ms")
        .put("uuidLabel", uuidLabel).put("maxSeriesPerTarget", maxSeriesPerTarget);
  }

  /** {@code 1s}, {@code 500ms}, {@code 5m}, {@code 1h}, or a number of seconds. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int split = 0;
    while (split < t.length() && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '.')) {
      split++;
    }
    if (split == 0) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 1s, 500ms, 5m)");
    }
    double n = Double.parseDouble(t.substring(0, split));
    double millis = switch (t.substring(split)) {
      case "ms" -> n;
      case "", "s" -> n * 1000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 1s, 500ms, 5m)");
    };
    return Duration.ofMillis(Math.round(millis));
  }

  private static Duration duration(JsonObject json, String prefix, String key, Duration def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    try {
      if (v instanceof Number n) {
        return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
      }
      if (v instanceof String s) {
        return parseDuration(s);
      }
    } catch (IllegalArgumentException e) {
      throw invalid(prefix, key, e.getMessage());
    }
    throw invalid(prefix, key, "must be a duration such as \"15s\", got " + v);
  }

  private static int integer(JsonObject json, String prefix, String key, int def, int min, int max) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min
        || n.longValue() > max) {
      throw invalid(prefix, key, "must be an integer between " + min + " and " + max + ", got " + v);
    }
    return n.intValue();
  }

  private static IllegalArgumentException invalid(String prefix, String key, String message) {
    return new IllegalArgumentException("invalid configuration '" + prefix + "." + key + "': " + message);
  }
}
