package org.gputelemetry.pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gputelemetry.pipeline.store.SampleQuery;

/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the gateway answers: the shapes
 * {@link ApiJson} builds. Route declarations refer to them by {@link #ref}; the OpenAPI document
 * lists them under {@code components.schemas}. Objects the API owns forbid unknown properties,
 * so a field added to a response but not here fails the schema test.
 */
public final class ApiSchemas {

  public static final String ERROR = "Error";
  public static final String GPU = "Gpu";
  public static final String GPU_LIST = "GpuList";
  public static final String SAMPLE = "Sample";
  public static final String TELEMETRY_PAGE = "TelemetryPage";
  public static final String METRIC_LIST = "MetricList";
  public static final String GPU_LATEST = "GpuLatest";
  public static final String BUCKET_PAGE = "BucketPage";
  public static final String LATEST_LIST = "LatestList";
  public static final String FLEET_TELEMETRY = "FleetTelemetry";
  public static final String HOST_LIST = "HostList";
  public static final String HEALTH = "Health";
  public static final String LIVE_FRAME = "LiveFrame";
  public static final String LIVE_SAMPLE = "LiveSample";
  public static final String LIVE_CONTROL = "LiveControl";
  public static final String UPLOAD = "CsvUpload";
  public static final String UPLOAD_LIST = "CsvUploadList";
  public static final String UPLOAD_ACCEPTED = "CsvUploadAccepted";

  private ApiSchemas() {
  }

  public static JsonObject ref(String name) {
    return new JsonObject().put("$ref", "#/components/schemas/" + name);
  }

  public static JsonObject string() {
    return new JsonObject().put("type", "string");
  }

  public static JsonObject dateTime() {
    return string().put("format", "date-time");
  }

  /** A time parameter: RFC 3339, {@code now} or {@code now-<duration>}. */
  public static JsonObject time() {
    return string().put("pattern", "^(now(-[0-9]+(ms|s|m|h|d))?|[0-9]{4}-[0-9]{2}-[0-9]{2}T.+)$");
  }

  /** One of these strings. */
  public static JsonObject oneOf(String... values) {
    return string().put("enum", new JsonArray(java.util.List.of(values)));
  }

  public static JsonObject integer(long min, long max) {
    return new JsonObject().put("type", "integer").put("minimum", min).put("maximum", max);
  }

  private static JsonObject nullable(String type) {
    return new JsonObject().put("type", new JsonArray().add(type).add("null"));
  }

  private static JsonObject object(JsonObject properties, String... required) {
    return new JsonObject().put("type", "object").put("properties", properties)
        .put("required", new JsonArray(java.util.List.of(required))).put("additionalProperties", false);
  }

  private static JsonObject array(JsonObject items) {
    return new JsonObject().put("type", "array").put("items", items);
  }

  /** Every schema, by name, for {@code components.schemas}. */
  public static Map<String, JsonObject> components() {
    Map<String, JsonObject> c = new LinkedHashMap<>();
    c.put(ERROR, object(new JsonObject().put("error", string().put("description", "what was wrong, naming the parameter")),
        "error"));
    c.put(GPU, object(new JsonObject()
            .put("uuid", string().put("description", "GPU UUID (MIG instances: MIG-GPU-.../gi/ci)"))
            .put("gpu_index", nullable("integer").put("description", "device index on its host"))
            .put("device", nullable("string"))
            .put("model_name", nullable("string"))
            .put("hostname", nullable("string"))
            .put("first_seen", dateTime().put("description", "timestamp of its oldest sample"))
            .put("last_seen", dateTime().put("description", "timestamp of its newest sample"))
            .put("pci_bus_id", nullable("string").put("description", "PCI bus id, e.g. 00000000:B1:00.0; null when unknown"))
            .put("driver_version", nullable("string").put("description", "NVIDIA driver, e.g. 535.129.03; null when unknown"))
            .put("parent_uuid", nullable("string").put("description", "a MIG instance's physical GPU, else null"))
            .put("mig_profile", nullable("string").put("description", "a MIG instance's profile, e.g. 3g.40gb, else null"))
            .put("status", string().put("enum", new JsonArray().add("active").add("stale")).put("description",
                "stale when last_seen is older than gateway.staleAfter, else active")),
        "uuid", "gpu_index", "device", "model_name", "hostname", "first_seen", "last_seen", "pci_bus_id",
        "driver_version", "parent_uuid", "mig_profile", "status"));
    c.put(GPU_LIST, object(new JsonObject().put("count", integer(0, Integer.MAX_VALUE)).put("gpus", array(ref(GPU))),
        "count", "gpus"));
    JsonObject sample = sampleProperties();
    c.put(SAMPLE, object(sample, "timestamp", "metric", "value", "hostname"));
    c.put(TELEMETRY_PAGE, object(new JsonObject()
            .put("uuid", string())
            .put("count", integer(0, SampleQuery.MAX_LIMIT))
            .put("samples", array(ref(SAMPLE)))
            .put("next_cursor", nullable("string").put("description",
                "pass as cursor to get the next page; null exactly when no more samples match")),
        "uuid", "count", "samples", "next_cursor"));
    c.put(METRIC_LIST, object(new JsonObject().put("metrics", array(string())), "metrics"));
    c.put(HOST_LIST, object(new JsonObject().put("count", integer(0, Integer.MAX_VALUE)).put("hosts",
            array(object(new JsonObject().put("hostname", nullable("string")).put("gpus", integer(0, Integer.MAX_VALUE)),
                "hostname", "gpus"))),
        "count", "hosts"));
    c.put(HEALTH, new JsonObject().put("type", "object")
        .put("properties", new JsonObject()
            .put("status", string().put("enum", new JsonArray().add("UP").add("DOWN")))
            .put("checks", new JsonObject().put("type", "object").put("description", "one entry per check")
                .put("additionalProperties", new JsonObject().put("type", "object")
                    .put("properties", new JsonObject()
                        .put("status", string().put("enum", new JsonArray().add("UP").add("DOWN")))
                        .put("error", string()))
                    .put("required", new JsonArray().add("status")))))
        .put("required", new JsonArray().add("status").add("checks")));
    c.put(LIVE_SAMPLE, object(sampleProperties().put("uuid", string()), "uuid", "timestamp", "metric", "value", "hostname"));
    c.put(BUCKET_PAGE, object(new JsonObject()
            .put("uuid", string())
            .put("step", string().put("description", "the step as requested"))
            .put("agg", oneOf("avg", "min", "max", "sum", "count", "last"))
            .put("count", integer(0, Integer.MAX_VALUE))
            .put("samples", array(object(new JsonObject()
                    .put("timestamp", dateTime().put("description", "the bucket's start"))
                    .put("metric", string())
                    .put("value", new JsonObject().put("type", "number"))
                    .put("hostname", nullable("string"))
                    .put("count", integer(1, Long.MAX_VALUE).put("description", "samples in the bucket")),
                "timestamp", "metric", "value", "hostname", "count"))
                .put("description", "one per metric and non-empty bucket, by bucket start then metric name "
                    + "(order=desc: reversed)")),
        "uuid", "step", "agg", "count", "samples"));
    c.put(FLEET_TELEMETRY, object(new JsonObject()
            .put("metric", string())
            .put("step", string().put("description", "the step as requested, or the one picked"))
            .put("agg", oneOf("avg", "min", "max", "sum", "count", "last"))
            .put("group_by", oneOf("gpu", "hostname", "fleet"))
            .put("series", array(object(new JsonObject()
                    .put("uuid", string().put("description", "the GPU (group_by=gpu only)"))
                    .put("hostname", nullable("string").put("description", "the host (not with group_by=fleet)"))
                    .put("samples", array(object(new JsonObject()
                            .put("timestamp", dateTime().put("description", "the bucket's start"))
                            .put("value", new JsonObject().put("type", "number"))
                            .put("count", integer(1, Long.MAX_VALUE).put("description", "samples in the bucket, "
                                + "over all the series' GPUs")),
                        "timestamp", "value", "count")).put("description", "non-empty buckets, by bucket start")),
                "samples"))
                .put("description", "per GPU or host in catalogue order; exactly one for group_by=fleet")),
        "metric", "step", "agg", "group_by", "series"));
    c.put(GPU_LATEST, object(new JsonObject().put("uuid", string())
            .put("samples", array(ref(SAMPLE)).put("description", "the newest sample of each metric, by metric name")),
        "uuid", "samples"));
    c.put(LATEST_LIST, object(new JsonObject().put("count", integer(0, Integer.MAX_VALUE))
            .put("samples", array(ref(LIVE_SAMPLE)).put("description",
                "the newest sample of the metric for each GPU, in catalogue order (hostname, gpu_index, uuid)")),
        "count", "samples"));
    c.put(LIVE_FRAME, array(ref(LIVE_SAMPLE)).put("description", "samples as the collector committed them, oldest first"));
    c.put(LIVE_CONTROL, new JsonObject().put("type", "object").put("description",
            "Control messages. Server to client: subscribed (the filter now in force), dropped (count samples "
                + "dropped because the client read too slowly), error. Client to server: subscribe (change the filter).")
        .put("properties", new JsonObject()
            .put("type", string().put("enum", new JsonArray().add("subscribe").add("subscribed").add("dropped").add("error")))
            .put("gpu", nullable("string")).put("metric", nullable("string")).put("hostname", nullable("string"))
            .put("count", integer(1, Long.MAX_VALUE)).put("error", string()))
        .put("required", new JsonArray().add("type")));
    uploads(c);
    return c;
  }

  private static void uploads(Map<String, JsonObject> c) {
    JsonObject status = oneOf("queued", "running", "done", "failed");
    c.put(UPLOAD_ACCEPTED, object(new JsonObject().put("id", string()).put("status", status)
        .put("bytes", integer(1, Long.MAX_VALUE).put("description", "bytes received")), "id", "status", "bytes"));
    c.put(UPLOAD, object(new JsonObject()
            .put("id", string())
            .put("status", status.copy().put("description", "queued: received, waiting its turn; running: being "
                + "ingested; done: every row read was accepted by the transport (committed by a collector, or "
                + "durably in the Redis stream); failed: see error"))
            .put("timestamp_mode", oneOf("source", "processing"))
            .put("filename", nullable("string").put("description", "the multipart part's file name, for display"))
            .put("bytes", integer(0, Long.MAX_VALUE))
            .put("rows_read", integer(0, Long.MAX_VALUE).put("description", "valid rows read so far"))
            .put("rows_accepted", integer(0, Long.MAX_VALUE).put("description", "rows the transport acknowledged"))
            .put("rows_rejected", integer(0, Long.MAX_VALUE).put("description", "rows the reader skipped"))
            .put("rejected_by_reason", new JsonObject().put("type", "object")
                .put("additionalProperties", integer(1, Long.MAX_VALUE))
                .put("description", "skipped rows by reason (bad_value, bad_timestamp, ... as in "
                    + "telemetry_rows_rejected_total), only reasons that occurred"))
            .put("error", nullable("string").put("description", "why it failed (a header without a required "
                + "column, the transport taking nothing, ...); null unless failed"))
            .put("created_at", dateTime())
            .put("started_at", nullable("string").put("format", "date-time"))
            .put("finished_at", nullable("string").put("format", "date-time")),
        "id", "status", "timestamp_mode", "filename", "bytes", "rows_read", "rows_accepted", "rows_rejected",
        "rejected_by_reason", "error", "created_at", "started_at", "finished_at"));
    c.put(UPLOAD_LIST, object(new JsonObject().put("count", integer(0, Integer.MAX_VALUE))
        .put("uploads", array(ref(UPLOAD))), "count", "uploads"));
  }

  private static JsonObject sampleProperties() {
    return new JsonObject()
        .put("timestamp", dateTime())
        .put("metric", string().put("description", "DCGM field name, e.g. DCGM_FI_DEV_GPU_UTIL"))
        .put("value", new JsonObject().put("type", "number"))
        .put("hostname", nullable("string"))
        .put("pod", string())
        .put("namespace", string())
        .put("container", string());
  }
}
