package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How batches travel from streamers to collectors ({@code transport} block, shared by the roles
 * of one process). Immutable.
 *
 * @param type {@code local} (one JVM), {@code clustered} (Hazelcast event bus) or {@code redis}
 * @param sendTimeout how long a sent batch may stay unacknowledged before it is sent again
 */
public record TransportSettings(String type, Duration sendTimeout, Redis redis, Cluster cluster, Spool spool) {

  public static final String LOCAL = "local";
  public static final String CLUSTERED = "clustered";
  public static final String REDIS = "redis";

  private static final Set<String> KEYS = Set.of("type", "sendTimeout", "redis", "cluster", "spool");

  /**
   * Redis Streams bridge settings, shaped like the Helm chart's {@code externalRedis} block.
   *
   * @param password already read from {@code passwordFile} when that is set
   * @param maxLen approximate bound of the stream ({@code XADD MAXLEN ~})
   * @param claimIdle how long an entry stays pending with a dead consumer before another claims it
   * @param maxDeliveries deliveries after which an entry goes to the dead-letter stream
   * @param deadLetterStream where such entries (and undecodable ones) go; default {@code <stream>:dead}
   * @param timeout longest wait for a Redis reply (and for a connection) before the link is
   *                considered lost: a cut network does not reset connections, it just goes silent
   * @param readCount most entries a collector reads per {@code XREADGROUP}; it holds at most
   *                  twice as many unacknowledged
   * @param tlsCaCert CA certificate (PEM file path, or the PEM text itself) that signs the server's
   */
  public record Redis(String host, int port, String password, int database, String stream, String group,
                      long maxLen, Duration claimIdle, int maxDeliveries, String deadLetterStream,
                      Duration timeout, int readCount,
                      boolean tlsEnabled, String tlsCaCert, boolean tlsSkipVerify) {

    private static final Set<String> KEYS = Set.of("host", "port", "password", "passwordFile", "database", "stream",
        "group", "maxLen", "claimIdle", "maxDeliveries", "deadLetterStream", "timeout", "readCount", "tls");

    static Redis fromJson(Json j) {
      j.allowOnly(KEYS);
      Json tls = j.child("tls").allowOnly(Set.of("enabled", "caCert", "skipVerify"));
      String stream = j.string("stream", "telemetry");
      Redis r = new Redis(
          j.string("host", "127.0.0.1"),
          j.intValue("port", 6379, 1, 65_535),
          j.secret("password", "passwordFile"),
          j.intValue("database", 0, 0, 15),
          stream,
          j.string("group", "collectors"),
          j.integer("maxLen", 1_000_000, 1_000, Long.MAX_VALUE),
          j.duration("claimIdle", Duration.ofSeconds(30)),
          j.intValue("maxDeliveries", 5, 1, 1000),
          j.string("deadLetterStream", stream + ":dead"),
          j.duration("timeout", Duration.ofSeconds(5)),
          j.intValue("readCount", 64, 1, 10_000),
          tls.bool("enabled", false),
          tls.string("caCert", null),
          tls.bool("skipVerify", false));
      if (r.claimIdle.toMillis() < 100) {
        throw new ConfigException(j.key("claimIdle"), "must be at least 100ms");
      }
      if (r.timeout.toMillis() < 10) {
        throw new ConfigException(j.key("timeout"), "must be at least 10ms");
      }
      if (r.deadLetterStream.equals(stream)) {
        throw new ConfigException(j.key("deadLetterStream"), "must differ from the stream itself");
      }
      return r;
    }

    JsonObject toJson() {
      return new JsonObject().put("host", host).put("port", port).put("database", database)
          .put("stream", stream).put("group", group).put("maxLen", maxLen)
          .put("claimIdle", Durations.format(claimIdle)).put("maxDeliveries", maxDeliveries)
          .put("deadLetterStream", deadLetterStream).put("timeout", Durations.format(timeout)).put("readCount", readCount)
          .put("tls", new JsonObject().put("enabled", tlsEnabled).put("caCert", tlsCaCert).put("skipVerify", tlsSkipVerify));
    }
  }

  /**
   * Hazelcast cluster of the clustered event bus.
   *
   * @param members TCP-IP join members (host or host:port); ignored when {@code kubernetes}
   * @param iface interface Hazelcast binds ({@code interface} in the descriptor)
   * @param port first Hazelcast port tried
   * @param kubernetes discover members through the Kubernetes API (headless service)
   * @param kubernetesService the headless service name for Kubernetes discovery
   */
  public record Cluster(String name, List<String> members, String iface, int port,
                        boolean kubernetes, String kubernetesService) {

    private static final Set<String> KEYS = Set.of("name", "members", "interface", "port", "kubernetes",
        "kubernetesService");

    static Cluster fromJson(Json j) {
      j.allowOnly(KEYS);
      return new Cluster(
          j.string("name", "telemetry"),
          j.strings("members", List.of("127.0.0.1")),
          j.string("interface", "127.0.0.1"),
          j.intValue("port", 5701, 1, 65_535),
          j.bool("kubernetes", false),
          j.string("kubernetesService", null));
    }

    JsonObject toJson() {
      return new JsonObject().put("name", name).put("members", members).put("interface", iface).put("port", port)
          .put("kubernetes", kubernetes).put("kubernetesService", kubernetesService);
    }
  }

  /**
   * The edge spool used while Redis is unreachable.
   *
   * @param fsync {@code always} (every append), {@code interval} (about once a second) or {@code never}
   */
  public record Spool(String dir, long maxBytes, long segmentBytes, String fsync) {

    private static final Set<String> KEYS = Set.of("dir", "maxBytes", "segmentBytes", "fsync");

    static Spool fromJson(Json j) {
      j.allowOnly(KEYS);
      Spool s = new Spool(
          j.string("dir", "data/spool"),
          j.integer("maxBytes", 1L << 30, 1 << 20, Long.MAX_VALUE),
          j.integer("segmentBytes", 16L << 20, 4096, 1L << 30),
          j.choice("fsync", "interval", Set.of("always", "interval", "never")));
      if (s.segmentBytes > s.maxBytes) {
        throw new ConfigException(j.key("segmentBytes"), "must not exceed maxBytes (" + s.maxBytes + ")");
      }
      return s;
    }

    JsonObject toJson() {
      return new JsonObject().put("dir", dir).put("maxBytes", maxBytes).put("segmentBytes", segmentBytes)
          .put("fsync", fsync);
    }
  }

  public static TransportSettings fromJson(JsonObject json) {
    Json j = Json.of(json, "transport").allowOnly(KEYS);
    return new TransportSettings(
        j.choice("type", LOCAL, Set.of(LOCAL, CLUSTERED, REDIS)),
        j.duration("sendTimeout", Duration.ofSeconds(30)),
        Redis.fromJson(j.child("redis")),
        Cluster.fromJson(j.child("cluster")),
        Spool.fromJson(j.child("spool")));
  }

  /** The settings without secrets. */
  public JsonObject toJson() {
    return new JsonObject().put("type", type).put("sendTimeout", Durations.format(sendTimeout))
        .put("redis", redis.toJson()).put("cluster", cluster.toJson()).put("spool", spool.toJson());
  }
}
