package org.gputelemetry.pipeline.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The labels that tell apart series of one GPU and metric ({@code xid}, {@code err_code},
 * {@code window_size_in_ms}, ...): part of a sample's identity, so two samples that differ only in
 * them are two series, not one overwritten value. Immutable, sorted by name; most samples carry
 * {@link #EMPTY}, which costs nothing. A sorted array of pairs rather than a map: it is compared
 * and hashed on the store's key path and is usually empty or one or two entries long.
 */
public final class Labels {

  public static final Labels EMPTY = new Labels(new String[0]);

  // name0, value0, name1, value1, ... sorted by name, names distinct
  private final String[] pairs;
  private final int hash;

  private Labels(String[] pairs) {
    this.pairs = pairs;
    this.hash = Arrays.hashCode(pairs);
  }

  /** Labels from a map (names and values non-null); {@link #EMPTY} for an empty or null map. */
  public static Labels of(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return EMPTY;
    }
    SortedMap<String, String> sorted = labels instanceof SortedMap<String, String> s && s.comparator() == null
        ? s : new TreeMap<>(labels);
    String[] pairs = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      pairs[i++] = requireText(e.getKey(), "label name");
      pairs[i++] = requireText(e.getValue(), "value of label " + e.getKey());
    }
    return new Labels(pairs);
  }

  /** Labels from alternating names and values, e.g. {@code of("xid", "13")}. */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name, value pairs");
    }
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return of(map);
  }

  private static String requireText(String s, String what) {
    if (s == null) {
      throw new NullPointerException(what);
    }
    return s;
  }

  public boolean isEmpty() {
    return pairs.length == 0;
  }

  public int size() {
    return pairs.length / 2;
  }

  public String name(int i) {
    return pairs[2 * i];
  }

  public String value(int i) {
    return pairs[2 * i + 1];
  }

  /** The value of {@code name}, or null. */
  public String get(String name) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) {
        return pairs[i + 1];
      }
    }
    return null;
  }

  /** An unmodifiable sorted map view (a copy). */
  public SortedMap<String, String> asMap() {
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableSortedMap(map);
  }

  /**
   * One text form per label set, usable as a key in a store: {@code ""} for none, else
   * {@code name="value",...} sorted by name, with {@code \ " newline} escaped as in the Prometheus
   * exposition format, so distinct sets never give the same text.
   */
  public String canonical() {
    if (pairs.length == 0) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        b.append(',');
      }
      b.append(pairs[i]).append("=\"");
      String v = pairs[i + 1];
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '"' -> b.append("\\\"");
          case '\n' -> b.append("\\n");
          default -> b.append(c);
        }
      }
      b.append('"');
    }
    return b.toString();
  }

  /** Reads what {@link #canonical} wrote. */
  public static Labels parseCanonical(String text) {
    if (text == null || text.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, String> map = new TreeMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf("=\"", i);
      if (eq < 0) {
        throw new IllegalArgumentException("not a canonical label set: " + text);
      }
      String name = text.substring(i, eq);
      StringBuilder v = new StringBuilder();
      int j = eq + 2;
      for (; j < text.length() && text.charAt(j) != '"'; j++) {
        char c = text.charAt(j);
        if (c == '\\' && j + 1 < text.length()) {
          char n = text.charAt(++j);
          v.append(n == 'n' ? '\n' : n);
        } else {
          v.append(c);
        }
      }
      if (j >= text.length()) {
        throw new IllegalArgumentException("not a canonical label set: " + text);
      }
      map.put(name, v.toString());
      i = j + 1;
      if (i < text.length()) {
        if (text.charAt(i) != ',') {
          throw new IllegalArgumentException("not a canonical label set: " + text);
        }
        i++;
      }
    }
    return of(map);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Labels other && hash == other.hash && Arrays.equals(pairs, other.pairs);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "{" + canonical() + "}";
  }
}
