package org.gputelemetry.pipeline.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The process's health, through vertx-health-check: liveness (the process answers; no checks) and
 * readiness, a set of named checks (store, transport, roles) registered by the dispatcher as
 * parts start, each a future that fails when that part cannot serve. A check that does not
 * answer within {@link #TIMEOUT_MS} counts as down. Thread-safe.
 *
 * <p>Both reports have the shape {@code {"status": "UP"|"DOWN", "checks": {name: {"status", ...detail}}}};
 * a failed check carries {@code "error"}.
 */
public final class Readiness {

  public static final long TIMEOUT_MS = 2_000;

  private final HealthChecks liveness;
  private final HealthChecks readiness;
  /** Check names in registration order, so reports list them in a stable order. */
  private final Set<String> names = Collections.synchronizedSet(new LinkedHashSet<>());

  public Readiness(Vertx vertx) {
    this.liveness = HealthChecks.create(vertx);
    this.readiness = HealthChecks.create(vertx);
  }

  /** Adds (or replaces) readiness check {@code name}: ready while {@code check}'s future succeeds. */
  public void register(String name, Supplier<Future<JsonObject>> check) {
    names.add(name);
    readiness.register(name, TIMEOUT_MS, promise -> {
      Future<JsonObject> f;
      try {
        f = check.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> promise.tryComplete(ar.succeeded()
          ? Status.OK(ar.result() == null ? new JsonObject() : ar.result())
          : Status.KO(new JsonObject().put("error", String.valueOf(ar.cause().getMessage())))));
    });
  }

  /** Liveness: the process is up and its event loop answers. */
  public Future<JsonObject> live() {
    return liveness.checkStatus().map(this::render);
  }

  /** Readiness: every registered check, and UP only while all are. */
  public Future<JsonObject> ready() {
    return readiness.checkStatus().map(this::render);
  }

  private JsonObject render(CheckResult result) {
    Map<String, JsonObject> byName = new HashMap<>();
    if (result.getChecks() != null) {
      for (CheckResult c : result.getChecks()) {
        JsonObject detail = new JsonObject().put("status", CheckResult.isUp(c) ? "UP" : "DOWN");
        if (c.getData() != null) {
          detail.mergeIn(c.getData());
        }
        // a timeout or an exception in the procedure: vertx-health-check reports a failure and a cause
        Object cause = detail.remove("cause");
        detail.remove("procedure-execution-failure");
        if (!CheckResult.isUp(c) && !detail.containsKey("error")) {
          detail.put("error", c.getFailure() != null ? String.valueOf(c.getFailure().getMessage())
              : cause != null ? String.valueOf(cause) : "check failed");
        }
        byName.put(c.getId(), detail);
      }
    }
    JsonObject checks = new JsonObject();
    synchronized (names) {
      names.stream().filter(byName::containsKey).forEach(n -> checks.put(n, byName.remove(n)));
    }
    byName.forEach(checks::put);
    return new JsonObject().put("status", CheckResult.isUp(result) ? "UP" : "DOWN").put("checks", checks);
  }
}
