package org.gputelemetry.pipeline.gateway;

import io.vertx.core.MultiMap;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.SampleQuery;

/** Turns request parameters into store queries; every failure names the parameter. Stateless. */
final class TelemetryQueryParams {

  private TelemetryQueryParams() {
  }

  static SampleQuery sampleQuery(String uuid, MultiMap params) {
    long start = time(params, "start_time", Long.MIN_VALUE);
    long end = time(params, "end_time", Long.MAX_VALUE);
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
    return new SampleQuery(uuid, start, end, metric, limit, cursor);
  }

  private static long time(MultiMap params, String name, long def) {
    String v = blankToNull(params.get(name));
    if (v == null) {
      return def;
    }
    try {
      return Timestamps.parseMicros(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter(name, "expected an RFC 3339 time such as 2025-07-18T20:42:34Z, got '" + ApiException.clip(v) + "'");
    }
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

  static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
