package org.gputelemetry.pipeline.streamer.scrape;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns byte ranges into Strings, handing back the same instance for the same bytes: a scrape
 * repeats each metric name, label name, UUID and hostname many times, so most lookups allocate
 * nothing and the samples share their strings. Fixed size (a colliding entry replaces the older
 * one), so a peer cannot grow it. Not thread-safe.
 */
final class ByteStringCache {

  private static final int SLOTS = 8192;
  private static final int MAX_CACHED_LENGTH = 128;

  private final byte[][] keys = new byte[SLOTS][];
  private final String[] values = new String[SLOTS];

  String get(byte[] b, int from, int to) {
    int len = to - from;
    if (len == 0) {
      return "";
    }
    if (len > MAX_CACHED_LENGTH) {
      return new String(b, from, len, StandardCharsets.UTF_8);
    }
    int h = 1;
    for (int i = from; i < to; i++) {
      h = 31 * h + b[i];
    }
    int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    byte[] key = keys[slot];
    if (key != null && key.length == len && Arrays.equals(key, 0, len, b, from, to)) {
      return values[slot];
    }
    String s = new String(b, from, len, StandardCharsets.UTF_8);
    keys[slot] = Arrays.copyOfRange(b, from, to);
    values[slot] = s;
    return s;
  }
}
