package org.gputelemetry.pipeline.store.checkpoint;

/** A checkpoint file that cannot be trusted: wrong magic or version, a bad checksum, cut short. */
public final class CorruptCheckpointException extends Exception {

  public CorruptCheckpointException(String message) {
    super(message);
  }

  public CorruptCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
