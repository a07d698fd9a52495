package org.gputelemetry.pipeline.streamer;

import org.gputelemetry.pipeline.model.Assignment;

/**
 * Splits GPUs among streamer instances and among one streamer's workers, by UUID, so that every
 * row of a GPU always goes to the same instance and worker (per-GPU order is kept, and N streamers
 * emit each row once). {@link String#hashCode} is specified by the JLS, so every JVM agrees.
 * Stateless.
 */
public final class GpuPartitioner {

  private GpuPartitioner() {
  }

  /** Which of {@code count} owners (instances) gets {@code uuid}. */
  public static int owner(String uuid, int count) {
    return Math.floorMod(mix(uuid.hashCode()), count);
  }

  /** Whether the instance holding {@code share} owns GPU {@code uuid}. */
  public static boolean owns(Assignment share, String uuid) {
    return share.count() == 1 || owner(uuid, share.count()) == share.index();
  }

  /** Which of {@code workers} workers of the owning instance gets {@code uuid}. */
  public static int worker(String uuid, int workers) {
    // a second, independent mix: reusing owner()'s value would put one instance's GPUs on one worker
    return Math.floorMod(mix(uuid.hashCode() * 0x9E3779B9 + 0x7F4A7C15), workers);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }
}
