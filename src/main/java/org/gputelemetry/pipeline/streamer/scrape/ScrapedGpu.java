package org.gputelemetry.pipeline.streamer.scrape;

import java.util.Objects;
import org.gputelemetry.pipeline.model.Gpu;

/**
 * A GPU (or MIG instance) as dcgm-exporter labels it, with its {@code pci_bus_id}, driver version, and for a MIG instance its parent, profile
 * and instance id. Immutable; {@link DcgmExporterMapping} hands out one instance per
 * identity, so samples share it.
 *
 * @param uuid the GPU's UUID, or {@code MIG-<parent UUID>/<GPU_I_ID>} for a MIG instance
 * @param gpuIndex the {@code gpu} label, or -1 when absent or not an integer
 * @param pciBusId e.g. {@code 00000000:B1:00.0}, or null
 * @param driverVersion the {@code DCGM_FI_DRIVER_VERSION} label, or null
 * @param parentUuid the physical GPU of a MIG instance, else null
 * @param migProfile e.g. {@code 3g.40gb}, or null (also when the exporter wrote {@code <<<NULL>>>})
 * @param migInstanceId the {@code GPU_I_ID} of a MIG instance, else null
 */
public record ScrapedGpu(String uuid, int gpuIndex, String device, String modelName, String hostname,
                         String pciBusId, String driverVersion, String parentUuid, String migProfile,
                         String migInstanceId) {

  public ScrapedGpu {
    Objects.requireNonNull(uuid, "uuid");
  }

  public boolean isMigInstance() {
    return parentUuid != null;
  }

  /** The pipeline's GPU record. */
  public Gpu toGpu() {
    return new Gpu(uuid, gpuIndex, device, modelName, hostname, pciBusId, driverVersion, parentUuid, migProfile);
  }
}
