package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of the gateway role ({@code gateway} block). Immutable. Secrets (bearer tokens) are
 * read once here and never appear in {@link #toJson()}.
 *
 * @param host interface the HTTP server binds
 * @param port HTTP port; 0 picks a free one (tests)
 * @param corsAllowedOrigins origins allowed by CORS; empty turns CORS off
 * @param corsAllowedMethods methods allowed by CORS
 * @param tls HTTPS instead of HTTP
 * @param auth bearer-token authentication of {@code /api/*} and {@code /ws/*}
 * @param websocketEnabled whether the live feed {@code /ws/telemetry} is mounted
 * @param websocketQueueSize samples each live-feed connection may hold while its client is slow;
 *     past that the oldest are dropped and the client is told how many
 * @param instances HTTP servers (each on its own event loop) sharing the port; 0 = one per CPU core
 * @param idleTimeout a connection that neither sends nor receives for this long is closed
 * @param headerTimeout a new connection must have sent its first request's headers within this long
 * @param maxConnections open connections the gateway accepts; 0 = derived from the file-descriptor
 *     limit (see {@link #effectiveMaxConnections()})
 * @param graphqlEnabled serve GraphQL at {@code /graphql} and GraphiQL at {@code /graphiql}
 * @param staleAfter a GPU whose newest sample is older than this is {@code stale}
 * @param upload the CSV upload ({@code POST /api/v1/csv/upload})
 */
public record GatewaySettings(String host, int port, List<String> corsAllowedOrigins, List<String> corsAllowedMethods,
                              Tls tls, Auth auth, int websocketQueueSize, int instances,
                              Duration idleTimeout, Duration headerTimeout, int maxConnections,
                              boolean websocketEnabled, boolean graphqlEnabled, Duration staleAfter,
                              Upload upload) {

  /** The most connections a derived {@code maxConnections} allows. */
  public static final int MAX_CONNECTIONS_CEILING = 10_000;

  /**
   * HTTPS with a PEM certificate chain and private key (e.g. a mounted Kubernetes TLS secret).
   *
   * @param certPath PEM certificate (chain) file
   * @param keyPath PEM private key file (PKCS#8 or PKCS#1)
   */
  public record Tls(boolean enabled, String certPath, String keyPath) {

    public JsonObject toJson() {
      return new JsonObject().put("enabled", enabled).put("certPath", certPath).put("keyPath", keyPath);
    }
  }

  /**
   * Bearer-token authentication: a request to {@code /api/*} or {@code /ws/*} must carry
   * {@code Authorization: Bearer <token>} (or {@code ?access_token=} on a WebSocket upgrade,
   * which browsers cannot send headers with) naming one of {@code tokens}.
   *
   * @param tokens accepted tokens, from {@code tokenFile} (one per line) and/or {@code tokens}
   * @param tokenFile where the tokens were read from, for the effective-config dump
   */
  public record Auth(boolean enabled, List<String> tokens, String tokenFile) {

    /** The settings without the tokens. */
    public JsonObject toJson() {
      return new JsonObject().put("enabled", enabled).put("tokenFile", tokenFile);
    }

    @Override
    public String toString() {
      return toJson().encode();
    }
  }

  /**
   * The CSV upload: files are streamed to {@code dir}, at most {@code maxBytes} each, and ingested
   * one at a time through the transport; at most {@code maxQueued} uploads are being received,
   * waiting or being ingested at once (more get 429).
   *
   * @param dir where uploaded files wait until they are ingested (deleted after)
   */
  public record Upload(boolean enabled, String dir, long maxBytes, int maxQueued) {

    /** {@code telemetry-uploads} in the JVM's temporary directory. */
    public static String defaultDir() {
      return Path.of(System.getProperty("java.io.tmpdir"), "telemetry-uploads").toString();
    }

    static Upload fromJson(DescriptorJson u) {
      return new Upload(
          u.bool("enabled", true),
          u.string("dir", defaultDir()),
          u.integer("maxBytes", 256L << 20, 1, 1L << 40),
          u.intValue("maxQueued", 4, 1, 1000));
    }

    public JsonObject toJson() {
      return new JsonObject().put("enabled", enabled).put("dir", dir).put("maxBytes", maxBytes)
          .put("maxQueued", maxQueued);
    }
  }

  public static GatewaySettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "gateway");
    GatewaySettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static GatewaySettings fromJson(DescriptorJson j) {
    j.allowOnly();
    DescriptorJson cors = j.child("cors").allowOnly();
    DescriptorJson websocket = j.child("websocket").allowOnly();
    return new GatewaySettings(
        j.string("host", "0.0.0.0"),
        j.intValue("port", 8080, 0, 65_535),
        corsOrigins(cors),
        cors.strings("allowedMethods", List.of("GET", "OPTIONS")),
        tls(j.child("tls").allowOnly()),
        auth(j.child("auth").allowOnly()),
        websocket.intValue("queueSize", 10_000, 1, 10_000_000),
        j.intValue("instances", 0, 0, 64),
        positive(j, "idleTimeout", j.duration("idleTimeout", Duration.ofSeconds(60))),
        positive(j, "headerTimeout", j.duration("headerTimeout", Duration.ofSeconds(10))),
        j.intValue("maxConnections", 0, 0, 1_000_000),
        websocket.bool("enabled", true),
        j.child("graphql").allowOnly().bool("enabled", true),
        positive(j, "staleAfter", j.duration("staleAfter", Duration.ofMinutes(5))),
        Upload.fromJson(j.child("upload").allowOnly()));
  }

  /** {@code cors.enabled}: off empties the list, on without a list allows any origin. */
  private static List<String> corsOrigins(DescriptorJson cors) {
    List<String> origins = cors.strings("allowedOrigins", List.of());
    if (!cors.has("enabled")) {
      return origins;
    }
    if (!cors.bool("enabled", true)) {
      return List.of();
    }
    return origins.isEmpty() ? List.of("*") : origins;
  }

  private static Duration positive(DescriptorJson j, String name, Duration d) {
    if (d.isZero() || d.isNegative()) {
      j.problem(name, "must be longer than 0");
    }
    return d;
  }

  /**
   * The connection cap: {@code maxConnections} when set, else three quarters of the process's
   * file-descriptor limit (the rest is left to the store, the transport and the JVM), at most
   * {@value #MAX_CONNECTIONS_CEILING}.
   */
  public int effectiveMaxConnections() {
    if (maxConnections > 0) {
      return maxConnections;
    }
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long derived = unix.getMaxFileDescriptorCount() * 3 / 4;
      return (int) Math.max(64, Math.min(MAX_CONNECTIONS_CEILING, derived));
    }
    return MAX_CONNECTIONS_CEILING;
  }

  /**
   * How many servers to run. Vert.x shares a listening port only among servers that ask for the
   * same fixed port, so port 0 (a free port, in tests) gets one.
   */
  public int effectiveInstances() {
    if (port == 0) {
      return 1;
    }
    return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
  }

  private static Tls tls(DescriptorJson t) {
    boolean enabled = t.bool("enabled", false);
    String cert = t.string("certPath", null);
    String key = t.string("keyPath", null);
    if (enabled) {
      requireFile(t, "certPath", cert);
      requireFile(t, "keyPath", key);
    }
    return new Tls(enabled, cert, key);
  }

  /** TLS files are checked here, before any port is bound. */
  private static void requireFile(DescriptorJson j, String name, String path) {
    if (path == null || path.isBlank()) {
      j.problem(name, "required when TLS is enabled (a PEM file)");
    } else if (!Files.isRegularFile(Path.of(path)) || !Files.isReadable(Path.of(path))) {
      j.problem(name, "cannot read " + path);
    }
  }

  private static Auth auth(DescriptorJson a) {
    String file = a.string("tokenFile", null);
    List<String> tokens = new java.util.ArrayList<>(a.strings("tokens", List.of()));
    if (file != null && !file.isBlank()) {
      try {
        Arrays.stream(Files.readString(Path.of(file), StandardCharsets.UTF_8).split("\\R"))
            .map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).forEach(tokens::add);
      } catch (IOException e) {
        a.problem("tokenFile", "cannot read " + file + ": " + e.getMessage());
      }
    }
    tokens.removeIf(String::isBlank);
    // giving tokens turns authentication on unless it is explicitly switched off
    boolean enabled = a.bool("enabled", !tokens.isEmpty());
    if (enabled && tokens.isEmpty()) {
      a.problem("enabled", "authentication is on but no token is given (tokenFile or tokens)");
    }
    return new Auth(enabled, List.copyOf(tokens), file);
  }

  /** The settings without secrets. */
  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port)
        .put("cors", new JsonObject().put("enabled", !corsAllowedOrigins.isEmpty()).put("allowedOrigins", corsAllowedOrigins).put("allowedMethods", corsAllowedMethods))
        .put("tls", tls.toJson()).put("auth", auth.toJson())
        .put("websocket", new JsonObject().put("enabled", websocketEnabled).put("queueSize", websocketQueueSize)).put("instances", instances)
        .put("idleTimeout", Durations.format(idleTimeout)).put("headerTimeout", Durations.format(headerTimeout))
        .put("maxConnections", maxConnections).put("graphql", new JsonObject().put("enabled", graphqlEnabled))
        .put("staleAfter", Durations.format(staleAfter))
        .put("upload", upload.toJson());
  }

  /** {@code https} when TLS is on, else {@code http}. */
  public String scheme() {
    return tls.enabled() ? "https" : "http";
  }
}
