package org.gputelemetry.pipeline.model;

/**
 * One instance's share of work split among {@code count} instances of a role: this instance is
 * number {@code index}. A streamer's share of the GPUs is static from the descriptor
 * ({@code instanceIndex}/{@code instanceCount}) or recomputed from the live cluster membership;
 * which GPUs a share holds is the streamer's partitioning rule. Immutable.
 */
public record Assignment(int index, int count) {

  public Assignment {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("bad assignment " + index + "/" + count);
    }
  }
}
