package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The whole deployment descriptor, parsed and validated once at start. Immutable.
 * Empty JSON yields the defaults: all three roles, the bundled sample, the memory store.
 *
 * @param roles which verticles this process runs: {@code streamer}, {@code collector}, {@code gateway}
 * @param instanceId this process's id in logs, metrics and the transport (pod name in Kubernetes)
 * @param ops the health/readiness/metrics endpoint of processes without the gateway role
 */
public record PipelineSettings(List<String> roles, String instanceId, StreamerSettings streamer,
                               CollectorSettings collector, GatewaySettings gateway,
                               StoreSettings store, TransportSettings transport, OpsSettings ops) {

  public static final String STREAMER = "streamer";
  public static final String COLLECTOR = "collector";
  public static final String GATEWAY = "gateway";
  public static final Set<String> ROLES = Set.of(STREAMER, COLLECTOR, GATEWAY);

  private static final Set<String> KEYS = Set.of("roles", "instanceId", STREAMER, COLLECTOR, GATEWAY, "store",
      "transport", "ops");

  /** Parses a descriptor after applying the process environment's overrides. */
  public static PipelineSettings fromDescriptor(JsonObject descriptor, Map<String, String> env) {
    return fromJson(EnvOverrides.apply(normalize(descriptor), env));
  }

  public static PipelineSettings fromJson(JsonObject json) {
    JsonObject normalized = normalize(json);
    Json j = Json.of(normalized, "").allowOnly(KEYS);
    List<String> roles = j.strings("roles", List.of(STREAMER, COLLECTOR, GATEWAY));
    if (roles.isEmpty()) {
      throw new ConfigException("roles", "name at least one of " + ROLES);
    }
    for (String role : roles) {
      if (!ROLES.contains(role)) {
        throw new ConfigException("roles", "unknown role '" + role + "' (known roles: streamer, collector, gateway)");
      }
    }
    String id = j.string("instanceId", null);
    return new PipelineSettings(
        List.copyOf(roles),
        id == null || id.isBlank() ? defaultInstanceId() : id,
        StreamerSettings.fromJson(j.child(STREAMER).json()),
        CollectorSettings.fromJson(j.child(COLLECTOR).json()),
        GatewaySettings.fromJson(j.child(GATEWAY).json()),
        StoreSettings.fromJson(j.child("store").json()),
        TransportSettings.fromJson(j.child("transport").json()),
        OpsSettings.fromJson(j.child("ops").json()));
  }

  public boolean runs(String role) {
    return roles.contains(role);
  }

  /** The effective settings, secrets left out. */
  public JsonObject toJson() {
    return new JsonObject().put("roles", roles).put("instanceId", instanceId)
        .put(STREAMER, streamer.toJson()).put(COLLECTOR, collector.toJson()).put(GATEWAY, gateway.toJson())
        .put("store", store.toJson()).put("transport", transport.toJson()).put("ops", ops.toJson());
  }

  /** {@code collector.store} is the descriptor's spelling of the process-wide {@code store} block. */
  private static JsonObject normalize(JsonObject json) {
    JsonObject out = json.copy();
    JsonObject collector = out.getJsonObject(COLLECTOR);
    if (collector != null && collector.containsKey("store")) {
      if (out.containsKey("store")) {
        throw new ConfigException("collector.store", "give the store once, either as 'store' or as 'collector.store'");
      }
      out.put("store", collector.remove("store"));
    }
    return out;
  }

  private static String defaultInstanceId() {
    String host = System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "pipeline" : host) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
