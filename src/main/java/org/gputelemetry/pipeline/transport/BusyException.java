package org.gputelemetry.pipeline.transport;

/**
 * A collector refused a batch because its buffer is full: backpressure, not an error. The sender
 * waits and sends again; with several collectors, another may take it.
 */
public final class BusyException extends RuntimeException {

  /** Event-bus failure code carried by a busy reply. */
  public static final int FAILURE_CODE = 503;

  public BusyException(String message) {
    super(message, null, false, false);
  }
}
