package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * How batches travel from streamers to collectors ({@code transport} block, shared by the roles
 * of one process). Immutable.
 *
 * @param type {@code local} (one JVM), {@code clustered} (Hazelcast event bus) or {@code redis}
 * @param sendTimeout how long a sent batch may stay unacknowledged before it is sent again
 */
public record TransportSettings(TransportType type, Duration sendTimeout, Redis redis, Cluster cluster, Spool spool) {

  /**
   * Redis Streams bridge settings, shaped like the Helm chart's {@code externalRedis} block.
   *
   * @param password already read from {@code passwordFile} when that is set
   * @param maxLen approximate bound of the stream in entries ({@code XADD MAXLEN ~}); an entry is one
   *               batch (about 70 bytes a row), so this bounds Redis memory: 20,000 entries of
   *               500-row batches take about 700 MB
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

    static Redis fromJson(DescriptorJson j) {
      j.allowOnly();
      DescriptorJson tls = j.child("tls").allowOnly();
      String stream = j.string("stream", "telemetry");
      Redis r = new Redis(
          j.string("host", "127.0.0.1"),
          j.intValue("port", 6379, 1, 65_535),
          j.secret("password", "passwordFile"),
          j.intValue("database", 0, 0, 15),
          stream,
          j.string("group", "collectors"),
          j.integer("maxLen", 20_000, 1_000, Long.MAX_VALUE),
          j.duration("claimIdle", Duration.ofSeconds(30)),
          j.intValue("maxDeliveries", 5, 1, 1000),
          j.string("deadLetterStream", stream + ":dead"),
          j.duration("timeout", Duration.ofSeconds(5)),
          j.intValue("readCount", 64, 1, 10_000),
          tls.bool("enabled", false),
          tls.string("caCert", null),
          tls.bool("skipVerify", false));
      if (r.claimIdle.toMillis() < 100) {
        j.problem("claimIdle", "must be at least 100ms");
      }
      if (r.timeout.toMillis() < 10) {
        j.problem("timeout", "must be at least 10ms");
      }
      if (r.deadLetterStream.equals(stream)) {
        j.problem("deadLetterStream", "must differ from the stream itself");
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
   * Hazelcast cluster of the clustered event bus. Multicast is never used: members are found
   * through {@code members} (TCP-IP) or, with {@code kubernetes}, through the Kubernetes API.
   *
   * @param name cluster name; members with another name never join (one name per release)
   * @param members TCP-IP join members ({@code host} or {@code host:port}; a bare host is tried on
   *                {@code port} and the next two ports); ignored when {@code kubernetes}
   * @param iface address Hazelcast and the event bus bind and advertise ({@code interface} in the
   *              descriptor): an IP address of this host, the pod IP in Kubernetes
   * @param port first Hazelcast port tried; the next free one is taken when it is in use
   * @param kubernetes discover members through the Kubernetes API (endpoints of a headless service)
   * @param kubernetesService the headless service name for Kubernetes discovery
   * @param joinWait how long a member waits for others before it forms a cluster on its own (whole seconds)
   * @param memberTimeout how long a member may miss heartbeats before it is dropped (whole seconds);
   *                      a member whose process died is usually dropped sooner, when its connections close
   * @param eventBusPort TCP port of the event bus between members; 0 = any free port
   */
  public record Cluster(String name, List<String> members, String iface, int port,
                        boolean kubernetes, String kubernetesService,
                        Duration joinWait, Duration memberTimeout, int eventBusPort) {

    static Cluster fromJson(DescriptorJson j) {
      j.allowOnly();
      List<String> members = j.strings("members", List.of("127.0.0.1"));
      for (String m : members) {
        checkMember(j, m);
      }
      String iface = j.string("interface", "127.0.0.1");
      if (iface.isBlank()) {
        j.problem("interface", "must be an IP address of this host");
      }
      boolean kubernetes = j.bool("kubernetes", false);
      String service = j.string("kubernetesService", null);
      if (kubernetes && (service == null || service.isBlank())) {
        j.problem("kubernetesService", "must name the headless service when kubernetes is true");
      }
      return new Cluster(
          j.string("name", "telemetry"),
          members,
          iface,
          j.intValue("port", 5701, 1, 65_535),
          kubernetes,
          service,
          wholeSeconds(j, "joinWait", Duration.ofSeconds(1), 0, 60),
          wholeSeconds(j, "memberTimeout", Duration.ofSeconds(10), 2, 300),
          j.intValue("eventBusPort", 0, 0, 65_535));
    }

    private static Duration wholeSeconds(DescriptorJson j, String name, Duration def, long min, long max) {
      Duration d = j.duration(name, def);
      if (d.toMillis() % 1000 != 0 || d.getSeconds() < min || d.getSeconds() > max) {
        j.problem(name, "must be whole seconds between " + min + "s and " + max + "s, got " + Durations.format(d));
        return def;
      }
      return d;
    }

    private static void checkMember(DescriptorJson j, String member) {
      String m = member.strip();
      int colon = m.lastIndexOf(':');
      boolean hasPort = colon >= 0 && m.indexOf(':') == colon;
      String host = hasPort ? m.substring(0, colon) : m;
      if (host.isEmpty()) {
        j.problem("members", "expected host or host:port, got '" + member + "'");
      } else if (hasPort) {
        String port = m.substring(colon + 1);
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
          j.problem("members", "expected host or host:port with a port from 1 to 65535, got '" + member + "'");
        }
      }
    }

    JsonObject toJson() {
      return new JsonObject().put("name", name).put("members", members).put("interface", iface).put("port", port)
          .put("kubernetes", kubernetes).put("kubernetesService", kubernetesService)
          .put("joinWait", Durations.format(joinWait)).put("memberTimeout", Durations.format(memberTimeout))
          .put("eventBusPort", eventBusPort);
    }
  }

  /**
   * The edge spool used while Redis is unreachable.
   *
   * @param fsync {@code always} (every append), {@code interval} (about once a second) or {@code never}
   */
  public record Spool(String dir, long maxBytes, long segmentBytes, FsyncPolicy fsync) {

    static Spool fromJson(DescriptorJson j) {
      j.allowOnly();
      Spool s = new Spool(
          j.string("dir", "data/spool"),
          j.integer("maxBytes", 1L << 30, 1 << 20, Long.MAX_VALUE),
          j.integer("segmentBytes", 16L << 20, 4096, 1L << 30),
          j.choice("fsync", FsyncPolicy.INTERVAL, FsyncPolicy.class));
      if (s.segmentBytes > s.maxBytes) {
        j.problem("segmentBytes", "must not exceed maxBytes (" + s.maxBytes + ")");
      }
      return s;
    }

    JsonObject toJson() {
      return new JsonObject().put("dir", dir).put("maxBytes", maxBytes).put("segmentBytes", segmentBytes)
          .put("fsync", fsync.configName());
    }
  }

  public static TransportSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "transport");
    TransportSettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static TransportSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    return new TransportSettings(
        j.choice("type", TransportType.LOCAL, TransportType.class),
        j.duration("sendTimeout", Duration.ofSeconds(30)),
        Redis.fromJson(j.child("redis")),
        Cluster.fromJson(j.child("cluster")),
        Spool.fromJson(j.child("spool")));
  }

  /** The settings without secrets. */
  public JsonObject toJson() {
    return new JsonObject().put("type", type.configName()).put("sendTimeout", Durations.format(sendTimeout))
        .put("redis", redis.toJson()).put("cluster", cluster.toJson()).put("spool", spool.toJson());
  }
}
