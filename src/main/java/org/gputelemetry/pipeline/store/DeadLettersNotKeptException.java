package org.gputelemetry.pipeline.store;

/**
 * A store that keeps no dead letters was asked to keep some. A refusal, not an outage: retrying
 * cannot succeed, so the caller logs the samples instead of waiting.
 */
public final class DeadLettersNotKeptException extends RuntimeException {

  public DeadLettersNotKeptException(String store) {
    super(store + " keeps no dead letters");
  }
}
