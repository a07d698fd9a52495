package org.gputelemetry.pipeline.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The process's readiness: named checks (store, transport, roles), each a future that fails when
 * that part cannot serve. Registered by the dispatcher as parts start; thread-safe.
 */
public final class Readiness {

  private final Map<String, Supplier<Future<JsonObject>>> checks = new LinkedHashMap<>();

  public synchronized void register(String name, Supplier<Future<JsonObject>> check) {
    checks.put(name, check);
  }

  public synchronized Map<String, Supplier<Future<JsonObject>>> checks() {
    return new LinkedHashMap<>(checks);
  }
}
