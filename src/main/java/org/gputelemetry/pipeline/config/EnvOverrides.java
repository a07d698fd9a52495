package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Environment variables that override descriptor values; this is how Helm configures pods.
 * The table below is the single source of the mapping (the README's table is checked against it).
 * Values are converted to the type the key expects; a value that does not convert is reported
 * with both the variable and the key.
 */
public final class EnvOverrides {

  /** Kind of value a variable carries. */
  public enum Kind { STRING, INT, BOOL, LIST }

  /** One variable and the descriptor path it sets. */
  public record Mapping(String variable, String path, Kind kind) {
  }

  public static final List<Mapping> MAPPINGS = List.of(
      new Mapping("ROLES", "roles", Kind.LIST),
      new Mapping("INSTANCE_ID", "instanceId", Kind.STRING),
      new Mapping("CSV_PATH", "streamer.csvPath", Kind.STRING),
      new Mapping("STREAMER_LOOP_MODE", "streamer.loopMode", Kind.BOOL),
      new Mapping("STREAMER_TIMESTAMP_MODE", "streamer.timestampMode", Kind.STRING),
      new Mapping("STREAMER_RATE", "streamer.rate", Kind.INT),
      new Mapping("STREAMER_WORKERS", "streamer.workers", Kind.INT),
      new Mapping("STREAMER_BATCH_SIZE", "streamer.batchSize", Kind.INT),
      new Mapping("STREAMER_STREAM_INTERVAL", "streamer.streamInterval", Kind.STRING),
      new Mapping("STREAMER_BUFFER_SIZE", "streamer.bufferSize", Kind.INT),
      new Mapping("STREAMER_INSTANCE_INDEX", "streamer.instanceIndex", Kind.INT),
      new Mapping("STREAMER_INSTANCE_COUNT", "streamer.instanceCount", Kind.INT),
      new Mapping("COLLECTOR_WORKERS", "collector.workers", Kind.INT),
      new Mapping("COLLECTOR_BATCH_SIZE", "collector.batchSize", Kind.INT),
      new Mapping("COLLECTOR_POLL_INTERVAL", "collector.pollInterval", Kind.STRING),
      new Mapping("COLLECTOR_BUFFER_SIZE", "collector.bufferSize", Kind.INT),
      new Mapping("STORE_TYPE", "store.type", Kind.STRING),
      new Mapping("STORE_MAX_ENTRIES_PER_GPU", "store.maxEntriesPerGPU", Kind.INT),
      new Mapping("DB_HOST", "store.host", Kind.STRING),
      new Mapping("DB_PORT", "store.port", Kind.INT),
      new Mapping("DB_NAME", "store.database", Kind.STRING),
      new Mapping("DB_USER", "store.user", Kind.STRING),
      new Mapping("DB_PASSWORD", "store.password", Kind.STRING),
      new Mapping("DB_PASSWORD_FILE", "store.passwordFile", Kind.STRING),
      new Mapping("DB_SSLMODE", "store.sslMode", Kind.STRING),
      new Mapping("DB_SSLROOTCERT", "store.sslRootCert", Kind.STRING),
      new Mapping("DB_POOL_SIZE", "store.poolSize", Kind.INT),
      new Mapping("DB_RETENTION", "store.retention", Kind.STRING),
      new Mapping("GATEWAY_HOST", "gateway.host", Kind.STRING),
      new Mapping("GATEWAY_PORT", "gateway.port", Kind.INT),
      new Mapping("GATEWAY_CORS_ALLOWED_ORIGINS", "gateway.cors.allowedOrigins", Kind.LIST),
      new Mapping("GATEWAY_CORS_ALLOWED_METHODS", "gateway.cors.allowedMethods", Kind.LIST),
      new Mapping("GATEWAY_TLS_ENABLED", "gateway.tls.enabled", Kind.BOOL),
      new Mapping("GATEWAY_TLS_CERT", "gateway.tls.certPath", Kind.STRING),
      new Mapping("GATEWAY_TLS_KEY", "gateway.tls.keyPath", Kind.STRING),
      new Mapping("GATEWAY_AUTH_ENABLED", "gateway.auth.enabled", Kind.BOOL),
      new Mapping("GATEWAY_AUTH_TOKEN_FILE", "gateway.auth.tokenFile", Kind.STRING),
      new Mapping("GATEWAY_WEBSOCKET_QUEUE_SIZE", "gateway.websocket.queueSize", Kind.INT),
      new Mapping("GATEWAY_INSTANCES", "gateway.instances", Kind.INT),
      new Mapping("OPS_ENABLED", "ops.enabled", Kind.BOOL),
      new Mapping("OPS_HOST", "ops.host", Kind.STRING),
      new Mapping("OPS_PORT", "ops.port", Kind.INT),
      new Mapping("TRANSPORT_TYPE", "transport.type", Kind.STRING),
      new Mapping("REDIS_HOST", "transport.redis.host", Kind.STRING),
      new Mapping("REDIS_PORT", "transport.redis.port", Kind.INT),
      new Mapping("REDIS_PASSWORD", "transport.redis.password", Kind.STRING),
      new Mapping("REDIS_PASSWORD_FILE", "transport.redis.passwordFile", Kind.STRING),
      new Mapping("REDIS_DATABASE", "transport.redis.database", Kind.INT),
      new Mapping("REDIS_STREAM", "transport.redis.stream", Kind.STRING),
      new Mapping("REDIS_GROUP", "transport.redis.group", Kind.STRING),
      new Mapping("REDIS_MAXLEN", "transport.redis.maxLen", Kind.INT),
      new Mapping("REDIS_TLS_ENABLED", "transport.redis.tls.enabled", Kind.BOOL),
      new Mapping("REDIS_TLS_CA_CERT", "transport.redis.tls.caCert", Kind.STRING),
      new Mapping("REDIS_TLS_SKIP_VERIFY", "transport.redis.tls.skipVerify", Kind.BOOL),
      new Mapping("CLUSTER_NAME", "transport.cluster.name", Kind.STRING),
      new Mapping("CLUSTER_MEMBERS", "transport.cluster.members", Kind.LIST),
      new Mapping("CLUSTER_INTERFACE", "transport.cluster.interface", Kind.STRING),
      new Mapping("CLUSTER_PORT", "transport.cluster.port", Kind.INT),
      new Mapping("CLUSTER_KUBERNETES", "transport.cluster.kubernetes", Kind.BOOL),
      new Mapping("CLUSTER_KUBERNETES_SERVICE", "transport.cluster.kubernetesService", Kind.STRING),
      new Mapping("CLUSTER_JOIN_WAIT", "transport.cluster.joinWait", Kind.STRING),
      new Mapping("CLUSTER_MEMBER_TIMEOUT", "transport.cluster.memberTimeout", Kind.STRING),
      new Mapping("CLUSTER_EVENT_BUS_PORT", "transport.cluster.eventBusPort", Kind.INT),
      new Mapping("SPOOL_DIR", "transport.spool.dir", Kind.STRING),
      new Mapping("SPOOL_MAX_BYTES", "transport.spool.maxBytes", Kind.INT));

  private EnvOverrides() {
  }

  /** Returns a copy of {@code descriptor} with every mapped variable present in {@code env} applied. */
  public static JsonObject apply(JsonObject descriptor, Map<String, String> env) {
    JsonObject out = descriptor.copy();
    for (Mapping m : MAPPINGS) {
      String raw = env.get(m.variable());
      if (raw == null) {
        continue;
      }
      String[] path = m.path().split("\\.");
      JsonObject target = out;
      for (int i = 0; i < path.length - 1; i++) {
        JsonObject next = target.getJsonObject(path[i]);
        if (next == null) {
          next = new JsonObject();
          target.put(path[i], next);
        }
        target = next;
      }
      target.put(path[path.length - 1], convert(m, raw.trim()));
    }
    return out;
  }

  private static Object convert(Mapping m, String raw) {
    switch (m.kind()) {
      case INT:
        try {
          return Long.parseLong(raw);
        } catch (NumberFormatException e) {
          throw new ConfigException(m.path(), "environment variable " + m.variable() + " must be a whole number, got '" + raw + "'");
        }
      case BOOL:
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(raw);
        }
        throw new ConfigException(m.path(), "environment variable " + m.variable() + " must be true or false, got '" + raw + "'");
      case LIST:
        return new JsonArray(Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
      default:
        return raw.isEmpty() ? null : raw;
    }
  }
}
