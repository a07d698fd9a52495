package org.gputelemetry.pipeline.ingest.csv;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands out one instance per distinct string, so samples replayed from a file share their
 * metric, pod and namespace names instead of holding a copy each. Bounded: past
 * {@code capacity} distinct strings new ones are returned as they are, which keeps a hostile
 * file with unique values in every row from growing the pool without limit.
 * Not thread-safe.
 */
final class StringPool {

  private final Map<String, String> pool = new HashMap<>();
  private final int capacity;

  StringPool(int capacity) {
    this.capacity = capacity;
  }

  /** The pooled instance equal to {@code text}; {@code null} stays {@code null}. */
  String intern(String text) {
    if (text == null) {
      return null;
    }
    String pooled = pool.get(text);
    if (pooled != null) {
      return pooled;
    }
    if (pool.size() < capacity) {
      pool.put(text, text);
    }
    return text;
  }
}
