package org.gputelemetry.pipeline.gateway;

import io.vertx.core.MultiMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gputelemetry.pipeline.model.Timestamps;
import java.time.Duration;
import org.gputelemetry.pipeline.config.Durations;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.SampleQuery;

/** Turns request parameters into store queries; every failure names the parameter. Stateless. */
public final class TelemetryQueryParams {

  private TelemetryQueryParams() {
  }

  /** Times such as {@code now} and {@code now-15m}: a duration as the descriptor writes them. */
  private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d{1,18})(ms|s|m|h|d))?");

  public static SampleQuery sampleQuery(String uuid, MultiMap params) {
    return sampleQuery(uuid, params, Timestamps.nowMicros());
  }

  /** As {@link #sampleQuery(String, MultiMap)} with {@code now} at {@code nowMicros}. */
  static SampleQuery sampleQuery(String uuid, MultiMap params, long nowMicros) {
    long start = time(params, "start_time", Long.MIN_VALUE, nowMicros);
    long end = time(params, "end_time", Long.MAX_VALUE, nowMicros);
    if (start > end) {
      throw ApiException.badParameter("start_time", "is after end_time");
    }
    String metric = blankToNull(params.get("metric"));
    int limit = limit(params.get("limit"));
    Cursor cursor = null;
    String c = blankToNull(params.get("cursor"));
    if (c != null) {
      try {
        cursor = Cursor.decode(c);
      } catch (IllegalArgumentException e) {
        throw ApiException.badParameter("cursor", ApiException.clip(e.getMessage()));
      }
    }
    return new SampleQuery(uuid, start, end, metric, limit, cursor, descending(params.get("order")));
  }

  static long time(MultiMap params, String name, long def, long nowMicros) {
    String v = blankToNull(params.get(name));
    if (v == null) {
      return def;
    }
    Matcher relative = RELATIVE.matcher(v);
    if (relative.matches()) {
      if (relative.group(1) == null) {
        return nowMicros;
      }
      try {
        long ago = Math.multiplyExact(Long.parseLong(relative.group(1)), unitMicros(relative.group(2)));
        return Math.subtractExact(nowMicros, ago);
      } catch (ArithmeticException e) {
        throw ApiException.badParameter(name, "the duration in '" + ApiException.clip(v) + "' is too long");
      }
    }
    try {
      return Timestamps.parseMicros(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter(name, "expected an RFC 3339 time such as 2025-07-18T20:42:34Z, now or now-15m"
          + " (units ms, s, m, h, d), got '" + ApiException.clip(v) + "'");
    }
  }

  /** {@code step} and {@code agg} of a downsampled request, or null for raw samples. */
  public record Downsampling(String stepText, long stepMicros, Aggregation agg) {
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

  public static Downsampling downsampling(MultiMap params) {
    String step = blankToNull(params.get("step"));
    String agg = blankToNull(params.get("agg"));
    if (step == null) {
      if (agg != null) {
        throw ApiException.badParameter("agg", "needs step (e.g. step=5m&agg=" + ApiException.clip(agg) + ")");
      }
      return null;
    }
    Matcher m = DURATION.matcher(step);
    long micros = 0;
    if (m.matches()) {
      try {
        micros = Math.multiplyExact(Long.parseLong(m.group(1)), unitMicros(m.group(2)));
      } catch (ArithmeticException e) {
        micros = 0;
      }
    }
    if (micros <= 0) {
      throw ApiException.badParameter("step", "expected a positive duration such as 250ms, 10s, 5m, 1h or 1d, got '"
          + ApiException.clip(step) + "'");
    }
    Aggregation aggregation = agg == null ? Aggregation.AVG : Aggregation.fromApiName(agg);
    if (aggregation == null) {
      throw ApiException.badParameter("agg", "expected avg, min, max, sum, count or last, got '" + ApiException.clip(agg) + "'");
    }
    if (blankToNull(params.get("cursor")) != null) {
      throw ApiException.badParameter("cursor", "does not apply with step: a downsampled answer is one page");
    }
    return new Downsampling(step, micros, aggregation);
  }

  /**
   * Refuses, naming {@code step}, a window that would give more than {@link BucketQuery#MAX_BUCKETS}
   * buckets per metric, with the smallest whole-millisecond step that fits any window of its length.
   */
  static void checkBucketCount(long startMicros, long endMicros, long stepMicros) {
    long count = BucketQuery.bucketCount(startMicros, endMicros, stepMicros);
    if (count > BucketQuery.MAX_BUCKETS) {
      // a window of L+1 microseconds spans at most ceil((L+1)/step)+1 buckets
      long fits = Math.floorDiv(endMicros - startMicros + 1 + BucketQuery.MAX_BUCKETS - 2, BucketQuery.MAX_BUCKETS - 1);
      long fitsMillis = Math.max(1, Math.floorDiv(fits + 999, 1000));
      throw ApiException.badParameter("step", "this window would give " + count + " buckets per metric, more than "
          + BucketQuery.MAX_BUCKETS + ": use step=" + Durations.format(Duration.ofMillis(fitsMillis)) + " or longer");
    }
  }

  private static long unitMicros(String unit) {
    return switch (unit) {
      case "ms" -> 1_000L;
      case "s" -> 1_000_000L;
      case "m" -> 60_000_000L;
      case "h" -> 3_600_000_000L;
      default -> 86_400_000_000L;
    };
  }

  /** {@code order}: {@code asc} (the default) or {@code desc}. */
  private static boolean descending(String v) {
    String order = blankToNull(v);
    if (order == null || order.equals("asc")) {
      return false;
    }
    if (order.equals("desc")) {
      return true;
    }
    throw ApiException.badParameter("order", "expected asc or desc, got '" + ApiException.clip(v) + "'");
  }

  private static int limit(String v) {
    if (blankToNull(v) == null) {
      return SampleQuery.DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= SampleQuery.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the allowed range
    }
    throw ApiException.badParameter("limit", "expected a whole number from 1 to " + SampleQuery.MAX_LIMIT + ", got '" + ApiException.clip(v) + "'");
  }

  public static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
