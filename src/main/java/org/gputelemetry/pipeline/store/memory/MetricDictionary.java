package org.gputelemetry.pipeline.store.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.model.Labels;

/**
 * Series keys (metric name and labels) as small integers, so each stored sample keeps an int, not
 * strings; and metric names as their own small integers, so a one-metric query compares ints
 * across every label set of that metric. Thread-safe.
 */
final class MetricDictionary {

  private record Key(String metric, Labels labels) {
  }

  private final ConcurrentHashMap<Key, Integer> ids = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> nameIndexes = new ConcurrentHashMap<>();
  private volatile String[] names = new String[0];
  // by series id: its metric's name index and its labels
  private volatile int[] seriesName = new int[0];
  private volatile Labels[] seriesLabels = new Labels[0];

  /** The id of a metric without labels. */
  int id(String name) {
    return id(name, Labels.EMPTY);
  }

  /** The id of the series {@code name} with {@code labels}, registered when new. */
  int id(String name, Labels labels) {
    Integer id = ids.get(new Key(name, labels));
    return id != null ? id : register(name, labels);
  }

  private synchronized int register(String name, Labels labels) {
    Key key = new Key(name, labels);
    Integer id = ids.get(key);
    if (id != null) {
      return id;
    }
    Integer nameIndex = nameIndexes.get(name);
    if (nameIndex == null) {
      String[] next = Arrays.copyOf(names, names.length + 1);
      next[names.length] = name;
      names = next;
      nameIndex = names.length - 1;
      nameIndexes.put(name, nameIndex);
    }
    int n = seriesName.length;
    int[] nextName = Arrays.copyOf(seriesName, n + 1);
    Labels[] nextLabels = Arrays.copyOf(seriesLabels, n + 1);
    nextName[n] = nameIndex;
    nextLabels[n] = labels;
    seriesLabels = nextLabels; // publish the series before its id can be seen
    seriesName = nextName;
    ids.put(key, n);
    return n;
  }

  /** The name index of a known metric name, or -1: a lookup that registers nothing (queries name any metric). */
  int find(String name) {
    Integer index = nameIndexes.get(name);
    return index == null ? -1 : index;
  }

  /** The name index of series {@code id}'s metric (what {@link #find} returns for its name). */
  int nameIndex(int id) {
    return seriesName[id];
  }

  /** Series {@code id}'s metric name. */
  String name(int id) {
    return names[seriesName[id]];
  }

  Labels labels(int id) {
    return seriesLabels[id];
  }

  /** The series ids of the metric with name index {@code nameIndex}, in registration order. */
  List<Integer> seriesOf(int nameIndex) {
    int[] byName = seriesName;
    List<Integer> out = new ArrayList<>(1);
    for (int id = 0; id < byName.length; id++) {
      if (byName[id] == nameIndex) {
        out.add(id);
      }
    }
    return out;
  }

  /** Distinct metric names. */
  List<String> all() {
    return new ArrayList<>(List.of(names));
  }
}
