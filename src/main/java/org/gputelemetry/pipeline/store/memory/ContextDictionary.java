package org.gputelemetry.pipeline.store.memory;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes placements (container, pod, namespace) as small integers, so a stored point keeps an
 * int and a chunk whose points share one placement keeps a single one. Id 0 is no placement.
 * Thread-safe; ids are never reused.
 */
final class ContextDictionary {

  /** What one placement costs: the record, its map entry and boxed id, its strings (estimated). */
  static final int ENTRY_BYTES = 160;

  private final ConcurrentHashMap<SampleContext, Integer> ids = new ConcurrentHashMap<>();
  private volatile SampleContext[] byId = {SampleContext.NONE};

  /** The id of a placement, registered (and its bytes added to {@code footprint}) when new. */
  int id(String container, String pod, String namespace, Footprint footprint) {
    if (container == null && pod == null && namespace == null) {
      return 0;
    }
    SampleContext c = new SampleContext(container, pod, namespace);
    Integer id = ids.get(c);
    return id != null ? id : register(c, footprint);
  }

  private synchronized int register(SampleContext c, Footprint footprint) {
    Integer known = ids.get(c);
    if (known != null) {
      return known;
    }
    int id = byId.length;
    SampleContext[] next = Arrays.copyOf(byId, id + 1);
    next[id] = c;
    byId = next; // published before its id can be seen
    ids.put(c, id);
    footprint.add(ENTRY_BYTES + 4, 0);
    return id;
  }

  SampleContext get(int id) {
    return byId[id];
  }
}
