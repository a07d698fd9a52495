package org.gputelemetry.pipeline.store.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Metric names as small integers, so each stored sample keeps an int, not a string. Thread-safe. */
final class MetricDictionary {

  private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
  private volatile String[] names = new String[0];

  int id(String name) {
    Integer id = ids.get(name);
    return id != null ? id : register(name);
  }

  private synchronized int register(String name) {
    Integer id = ids.get(name);
    if (id != null) {
      return id;
    }
    String[] next = java.util.Arrays.copyOf(names, names.length + 1);
    next[names.length] = name;
    names = next; // publish the name before the id can be seen
    ids.put(name, names.length - 1);
    return names.length - 1;
  }

  /** The id of a known name, or -1: a lookup that registers nothing (queries name any metric). */
  int find(String name) {
    Integer id = ids.get(name);
    return id == null ? -1 : id;
  }

  String name(int id) {
    return names[id];
  }

  List<String> all() {
    return new ArrayList<>(List.of(names));
  }
}
