package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;

/**
 * The ops HTTP endpoint ({@code ops} block): {@code /health}, {@code /ready} and {@code /metrics}
 * for processes without the gateway role (streamer and collector pods are probed and scraped
 * there). A process that runs the gateway serves the same endpoints on the gateway's port and
 * starts no ops server. Immutable.
 *
 * @param enabled whether a process without the gateway role starts the ops server
 * @param host interface the ops server binds
 * @param port ops port; 0 picks a free one (tests)
 */
public record OpsSettings(boolean enabled, String host, int port) {

  public static OpsSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "ops");
    OpsSettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static OpsSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    return new OpsSettings(j.bool("enabled", true), j.string("host", "0.0.0.0"), j.intValue("port", 9090, 0, 65_535));
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port);
  }
}
