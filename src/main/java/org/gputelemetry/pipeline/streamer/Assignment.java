package org.gputelemetry.pipeline.streamer;

/**
 * Which share of the GPUs a streamer owns: GPU {@code g} is this streamer's when
 * {@code GpuPartitioner.owner(g, count) == index}. Static from the descriptor, or recomputed from
 * the live cluster membership.
 */
public record Assignment(int index, int count) {

  public Assignment {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("bad assignment " + index + "/" + count);
    }
  }

  public boolean owns(String uuid) {
    return count == 1 || GpuPartitioner.owner(uuid, count) == index;
  }
}
