package org.gputelemetry.pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;

/** The API's JSON shapes, in one place (REST responses and the live feed share them). */
public final class ApiJson {

  private ApiJson() {
  }

  /**
   * A GPU as {@code /api/v1/gpus} answers it: the record plus {@code status}, {@code stale} when its
   * newest sample ({@code last_seen}) is older than {@code staleAfter} at {@code nowMicros}, else
   * {@code active}.
   */
  public static JsonObject gpu(GpuRecord r, long nowMicros, java.time.Duration staleAfter) {
    return record(r).put("status", StaleGpus.isStale(r, nowMicros, staleAfter) ? "stale" : "active");
  }

  public static JsonObject gpus(List<GpuRecord> records, long nowMicros, java.time.Duration staleAfter) {
    JsonArray arr = new JsonArray();
    records.forEach(r -> arr.add(gpu(r, nowMicros, staleAfter)));
    return new JsonObject().put("count", records.size()).put("gpus", arr);
  }

  /** The PCI bus, driver and MIG attributes are null when no source said. */
  private static JsonObject record(GpuRecord r) {
    return new JsonObject()
        .put("uuid", r.gpu().uuid())
        .put("gpu_index", r.gpu().gpuIndex() < 0 ? null : r.gpu().gpuIndex())
        .put("device", r.gpu().device())
        .put("model_name", r.gpu().modelName())
        .put("hostname", r.gpu().hostname())
        .put("first_seen", Timestamps.format(r.firstSeenMicros()))
        .put("last_seen", Timestamps.format(r.lastSeenMicros()))
        .put("pci_bus_id", r.gpu().pciBusId())
        .put("driver_version", r.gpu().driverVersion())
        .put("parent_uuid", r.gpu().parentUuid())
        .put("mig_profile", r.gpu().migProfile());
  }

  /** A sample as REST returns it; pod, namespace and container only when known. */
  public static JsonObject sample(Sample s) {
    JsonObject o = new JsonObject()
        .put("timestamp", Timestamps.format(s.timestampMicros()))
        .put("metric", s.metric())
        .put("value", s.value())
        .put("hostname", s.gpu().hostname());
    if (s.pod() != null) {
      o.put("pod", s.pod());
    }
    if (s.namespace() != null) {
      o.put("namespace", s.namespace());
    }
    if (s.container() != null) {
      o.put("container", s.container());
    }
    return o;
  }

  /** A sample as the live feed sends it: the REST shape plus the GPU's {@code uuid}. */
  public static JsonObject liveSample(Sample s) {
    return new JsonObject().put("uuid", s.gpu().uuid()).mergeIn(sample(s));
  }

  public static JsonObject hosts(List<HostRecord> hosts) {
    JsonArray arr = new JsonArray();
    hosts.forEach(h -> arr.add(new JsonObject().put("hostname", h.hostname()).put("gpus", h.gpus())));
    return new JsonObject().put("count", hosts.size()).put("hosts", arr);
  }

  public static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }
}
