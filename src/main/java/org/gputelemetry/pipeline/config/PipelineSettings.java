package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The whole deployment descriptor, parsed and validated once at start. Immutable.
 * Empty JSON yields the defaults: all three roles, the bundled sample, the memory store.
 * Parsing reports every problem of the descriptor at once (one {@link ConfigException}); the
 * files the roles need are checked by {@link StartupChecks} before any port is bound.
 *
 * @param roles which verticles this process runs
 * @param instanceId this process's id in logs, metrics and the transport (pod name in Kubernetes)
 * @param clusterId the cluster (site) this process runs in, stamped on the batches it sends
 * @param ops the health/readiness/metrics endpoint of processes without the gateway role
 */
public record PipelineSettings(List<Role> roles, String instanceId, String clusterId, StreamerSettings streamer,
                               CollectorSettings collector, GatewaySettings gateway,
                               StoreSettings store, TransportSettings transport, OpsSettings ops) {

  /** Role names as the transports announce them to other members. */
  public static final String STREAMER = Role.STREAMER.configName();
  public static final String COLLECTOR = Role.COLLECTOR.configName();
  public static final String GATEWAY = Role.GATEWAY.configName();

  /** {@code cluster.id} when the descriptor gives none: one cluster, nothing crosses. */
  public static final String DEFAULT_CLUSTER_ID = "local";
  /** A cluster id is a metric label value and a wire field: short, printable, no separators. */
  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9._-]{1,63}");

  /** Parses a descriptor after applying the process environment's overrides. */
  public static PipelineSettings fromDescriptor(JsonObject descriptor, Map<String, String> env) {
    return fromJson(EnvOverrides.apply(normalize(descriptor), env));
  }

  public static PipelineSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(normalize(json), "").allowOnly();
    List<Role> roles = roles(j);
    String id = j.string("instanceId", null);
    DescriptorJson cluster = j.child("cluster").allowOnly();
    String clusterId = cluster.string("id", DEFAULT_CLUSTER_ID);
    if (clusterId == null || !CLUSTER_ID.matcher(clusterId).matches()) {
      cluster.problem("id", "must be 1-63 letters, digits, '.', '_' or '-', got '" + clusterId + "'");
    }
    PipelineSettings s = new PipelineSettings(
        roles,
        id == null || id.isBlank() ? defaultInstanceId() : id,
        clusterId,
        StreamerSettings.fromJson(j.child(STREAMER)),
        CollectorSettings.fromJson(j.child(COLLECTOR)),
        GatewaySettings.fromJson(j.child(GATEWAY)),
        StoreSettings.fromJson(j.child("store")),
        TransportSettings.fromJson(j.child("transport")),
        OpsSettings.fromJson(j.child("ops")));
    j.check();
    return s;
  }

  private static List<Role> roles(DescriptorJson j) {
    List<String> names = j.strings("roles", ConfigChoice.names(Role.class));
    if (names.isEmpty()) {
      j.problem("roles", "name at least one of " + String.join(", ", ConfigChoice.names(Role.class)));
    }
    List<Role> roles = new ArrayList<>();
    for (String name : names) {
      Role role = ConfigChoice.parse(Role.class, name);
      if (role == null) {
        j.problem("roles", "unknown role '" + name + "' (known roles: " + String.join(", ", ConfigChoice.names(Role.class)) + ")");
      } else if (!roles.contains(role)) {
        roles.add(role);
      }
    }
    return List.copyOf(roles);
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /** The role names, as the transports announce them to other members. */
  public List<String> roleNames() {
    return roles.stream().map(Role::configName).toList();
  }

  /** The effective settings, secrets left out. */
  public JsonObject toJson() {
    return new JsonObject().put("roles", roleNames()).put("instanceId", instanceId)
        .put("cluster", new JsonObject().put("id", clusterId))
        .put(STREAMER, streamer.toJson()).put(COLLECTOR, collector.toJson()).put(GATEWAY, gateway.toJson())
        .put("store", store.toJson()).put("transport", transport.toJson()).put("ops", ops.toJson());
  }

  /** {@code collector.store} is the descriptor's spelling of the process-wide {@code store} block. */
  private static JsonObject normalize(JsonObject json) {
    JsonObject out = json.copy();
    Object collector = out.getValue(COLLECTOR);
    if (collector instanceof JsonObject c && c.containsKey("store")) {
      if (out.containsKey("store")) {
        throw new ConfigException("collector.store", "give the store once, either as 'store' or as 'collector.store'");
      }
      out.put("store", c.remove("store"));
    }
    return out;
  }

  private static String defaultInstanceId() {
    String host = System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "pipeline" : host) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
