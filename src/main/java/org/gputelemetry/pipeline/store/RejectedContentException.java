package org.gputelemetry.pipeline.store;

/**
 * A store refused samples for what they hold (text it cannot keep, a time outside its range, a
 * value it cannot represent), not because it is unreachable: writing the same samples again
 * fails again, so waiting does not help. A caller finds the refused samples by writing smaller
 * parts of the batch and keeps the rest (see {@link StoreFailure}). Stores throw it, or fail a
 * future with it; the message says what was refused, never holding the refused text itself.
 */
public final class RejectedContentException extends RuntimeException {

  public RejectedContentException(String message, Throwable cause) {
    super(message, cause);
  }

  public RejectedContentException(String message) {
    super(message);
  }
}
