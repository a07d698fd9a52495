package org.gputelemetry.pipeline.model;

import java.util.Objects;

/**
 * Identity and static attributes of one GPU, as DCGM labels it. The UUID is the identity
 * (MIG instances carry ids such as {@code MIG-GPU-.../1/0} or {@code MIG-<parent UUID>/<GPU_I_ID>});
 * the other fields describe it and may be null when the source does not say. Immutable; parsers
 * hand out one shared instance per UUID so samples carry a reference, not copies of the strings.
 *
 * @param gpuIndex the device index on its host, or {@code -1} when the source did not say
 * @param pciBusId e.g. {@code 00000000:B1:00.0}
 * @param driverVersion the NVIDIA driver, e.g. {@code 535.129.03}
 * @param parentUuid the physical GPU of a MIG instance, else null
 * @param migProfile a MIG instance's profile, e.g. {@code 3g.40gb}
 */
public record Gpu(String uuid, int gpuIndex, String device, String modelName, String hostname,
                  String pciBusId, String driverVersion, String parentUuid, String migProfile) {

  public Gpu {
    Objects.requireNonNull(uuid, "uuid");
  }

  /**
   * This GPU as {@code newer} describes it, keeping this one's PCI bus, driver, parent and MIG
   * profile where {@code newer} does not say (a source that does not know an attribute never
   * erases it); {@code newer} itself, or this, when the answer equals one of them.
   */
  public Gpu updatedBy(Gpu newer) {
    if (newer == this || newer.equals(this)) {
      return this;
    }
    if ((newer.pciBusId != null || pciBusId == null) && (newer.driverVersion != null || driverVersion == null)
        && (newer.parentUuid != null || parentUuid == null) && (newer.migProfile != null || migProfile == null)) {
      return newer;
    }
    Gpu merged = new Gpu(newer.uuid, newer.gpuIndex, newer.device, newer.modelName, newer.hostname,
        newer.pciBusId != null ? newer.pciBusId : pciBusId,
        newer.driverVersion != null ? newer.driverVersion : driverVersion,
        newer.parentUuid != null ? newer.parentUuid : parentUuid,
        newer.migProfile != null ? newer.migProfile : migProfile);
    return merged.equals(this) ? this : merged;
  }

  /** A GPU as a DCGM CSV row describes it (no PCI bus, driver or MIG attributes). */
  public Gpu(String uuid, int gpuIndex, String device, String modelName, String hostname) {
    this(uuid, gpuIndex, device, modelName, hostname, null, null, null, null);
  }
}
