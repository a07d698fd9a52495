package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether PostgreSQL answered the last time anything asked, and the log of its changes: each
 * transition (reachable to unreachable and back) and each distinct SQL problem is logged once,
 * however many retries hit it. Thread-safe.
 */
final class Availability {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresTelemetryStore.class);

  /** The connectivity problem of the current outage, or {@code null} while PostgreSQL answers. */
  private final AtomicReference<String> outage = new AtomicReference<>();
  /** The last SQL error (PostgreSQL answered, but refused), so that a retried failure is logged once. */
  private final AtomicReference<String> lastRefusal = new AtomicReference<>();
  private final String target;

  Availability(String target) {
    this.target = target;
  }

  /** Records that PostgreSQL answered; logs the end of an outage. */
  void succeeded() {
    if (outage.getAndSet(null) != null) {
      LOG.info("PostgreSQL at {} reachable again", target);
    }
  }

  /** Records a failure; logs the start of an outage, or an SQL error different from the last one. */
  void failed(Throwable cause) {
    String now = describe(cause);
    if (isConnectivity(cause)) {
      if (outage.getAndSet(now) == null) {
        LOG.warn("PostgreSQL at {} unreachable ({}); operations fail and readiness is false until it answers",
            target, now);
      } else {
        LOG.debug("PostgreSQL at {} still unreachable: {}", target, now);
      }
    } else if (!now.equals(lastRefusal.getAndSet(now))) {
      LOG.error("PostgreSQL at {} refused an operation: {}", target, now);
    } else {
      LOG.debug("PostgreSQL at {} refused an operation again: {}", target, now);
    }
  }

  boolean isUp() {
    return outage.get() == null;
  }

  /** The current outage's cause, or {@code null}. */
  String outageCause() {
    return outage.get();
  }

  /** Connection refused, reset or closed, or the server shutting down / restarting. */
  static boolean isConnectivity(Throwable t) {
    boolean transport = false;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof PgException pg) {
        String state = pg.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
      }
      transport |= c instanceof IOException || c instanceof VertxException || c instanceof TimeoutException;
    }
    return transport;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
