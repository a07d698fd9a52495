package org.gputelemetry.pipeline.transport;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A batch was refused as busy: the receiving side has no room for it now (a collector's buffer, or
 * the Redis edge's spool, is full). Backpressure, not an error: the batch was not taken, and the
 * sender waits a short while and sends it again; with several collectors, another may take it.
 *
 * <p>The one way every transport says it and {@link #isBusy} the one way to recognise it. A
 * collector's consumer fails its future with a {@code BusyException}; the event-bus transports
 * (local and clustered) carry that to the sender as a {@link ReplyException} with code
 * {@link #FAILURE_CODE}; the Redis edge fails a send with a {@code BusyException} when its spool is
 * full. Code that decides how to retry asks {@link #isBusy} rather than testing either form.
 */
public final class BusyException extends RuntimeException {

  /** Event-bus failure code carried by a busy reply. */
  public static final int FAILURE_CODE = 503;
  /** How many causes deep a refusal is looked for; bounds a pathological cause chain. */
  private static final int MAX_DEPTH = 16;

  public BusyException(String message) {
    super(message, null, false, false);
  }

  /**
   * Whether {@code failure} is a refusal as busy by any transport: a {@code BusyException}, a busy
   * event-bus reply (recipient failure with code {@value #FAILURE_CODE}, in this JVM or from another
   * cluster member), or a failure caused by either. {@code false} for {@code null}.
   */
  public static boolean isBusy(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof BusyException
          || (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
              && re.failureCode() == FAILURE_CODE)) {
        return true;
      }
    }
    return false;
  }
}
