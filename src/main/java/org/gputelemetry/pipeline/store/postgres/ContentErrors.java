package org.gputelemetry.pipeline.store.postgres;

import io.vertx.pgclient.PgException;
import org.gputelemetry.pipeline.store.RejectedContentException;

/**
 * Which PostgreSQL errors mean "these samples cannot be stored" rather than "PostgreSQL cannot
 * store right now", by SQLSTATE class: 22 (data exception: a NUL byte in text, a value or time out
 * of range), 23 (integrity constraint violation) and 54 (program limit exceeded: a name too long
 * for an index entry) are the content's; everything else is waited out, in particular 08
 * (connection), 57P (shutdown, {@code pg_terminate_backend}), 53 (too many connections, out of
 * memory or disk), 25006 (read-only), 40 (serialization failure, deadlock), 42 (a schema problem
 * an operator fixes) and every error that is not PostgreSQL's (I/O, timeouts, a closed
 * connection). Stateless.
 */
final class ContentErrors {

  private ContentErrors() {
  }

  /** Whether {@code failure} (or a cause) is PostgreSQL refusing the content of a statement. */
  static boolean isContent(Throwable failure) {
    PgException pg = pgException(failure);
    if (pg == null || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
  }

  /** {@code failure} as the store interface reports a content refusal. */
  static RejectedContentException rejected(Throwable failure) {
    PgException pg = pgException(failure);
    String what = pg == null ? failure.getMessage() : pg.getErrorMessage();
    return new RejectedContentException("PostgreSQL refused the samples (SQLSTATE "
        + (pg == null ? "?" : pg.getSqlState()) + "): " + what, failure);
  }

  private static PgException pgException(Throwable failure) {
    Throwable c = failure;
    for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) {
      if (c instanceof PgException pg) {
        return pg;
      }
    }
    return null;
  }
}
