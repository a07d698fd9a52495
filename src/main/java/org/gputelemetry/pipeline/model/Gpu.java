package org.gputelemetry.pipeline.model;

import java.util.Objects;

/**
 * Identity and static attributes of one GPU, as DCGM labels it. The UUID is the identity
 * (MIG instances carry ids such as {@code MIG-GPU-.../1/0}); the other fields describe it.
 * Immutable; parsers hand out one shared instance per UUID so samples carry a reference,
 * not copies of the strings.
 *
 * @param gpuIndex the device index on its host, or {@code -1} when the source did not say
 */
public record Gpu(String uuid, int gpuIndex, String device, String modelName, String hostname) {

  public Gpu {
    Objects.requireNonNull(uuid, "uuid");
  }
}
