package org.gputelemetry.pipeline.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.config.ConfigKey.Type;

/**
 * Every descriptor key, once: its name, type, documented default, environment variable and
 * meaning. Unknown-key detection ({@link DescriptorJson#allowOnly()}), the environment overrides
 * ({@link EnvOverrides}) and the tables of {@code docs/configuration.md} all derive from this
 * list; tests hold the settings records' parsed defaults to it. Adding a key means adding it here
 * and reading it in the settings record of its block.
 */
public final class ConfigKeys {

  /** All keys, in the order the documentation lists them. */
  public static final List<ConfigKey> ALL = List.of(
      key("roles", Type.LIST, "[\"streamer\",\"collector\",\"gateway\"]", "ROLES",
          "roles this process runs: `streamer`, `collector`, `gateway`"),
      derived("instanceId", Type.STRING, "`$HOSTNAME-<random>`", "INSTANCE_ID",
          "this process's id in logs, metrics and batches"),
      key("cluster.id", Type.STRING, "local", "CLUSTER_ID",
          "the Kubernetes cluster (or site) this process runs in: stamped on batches sent over the `clustered` and `redis` transports, so the receiving collector reports `cross_cluster_latency_seconds{source_cluster,target_cluster}`, and the `cluster` label of `message_queue_connection_status`"),
      key("streamer.csvPath", Type.STRING, "none", "CSV_PATH",
          "DCGM exporter CSV to replay; none = the bundled sample (2,470 rows, 247 GPUs, 31 hosts). Checked before any port is bound"),
      key("streamer.loopMode", Type.BOOLEAN, "true", "STREAMER_LOOP_MODE",
          "replay forever; `false` = one pass, then idle and report finished (`/ready` detail)"),
      key("streamer.timestampMode", Type.CHOICE, "processing", "STREAMER_TIMESTAMP_MODE",
          "`processing` stamps each row when processed (replay semantics); `source` keeps the CSV timestamp"),
      key("streamer.rate", Type.NUMBER, "1250", "STREAMER_RATE",
          "rows per second per worker; `0` = as fast as possible. With 2 workers the sample's 247 GPUs each update about once a second"),
      key("streamer.workers", Type.NUMBER, "2", "STREAMER_WORKERS",
          "replay threads; the file's GPUs are split among them"),
      key("streamer.batchSize", Type.NUMBER, "500", "STREAMER_BATCH_SIZE",
          "most rows per transport message"),
      key("streamer.streamInterval", Type.DURATION, "100ms", "STREAMER_STREAM_INTERVAL",
          "longest a partial batch waits before it is sent"),
      key("streamer.bufferSize", Type.NUMBER, "65536", "STREAMER_BUFFER_SIZE",
          "capacity (rows) of the ring between workers and the batching loop"),
      key("streamer.maxInFlight", Type.NUMBER, "32", null,
          "batches sent and not yet acknowledged before the streamer waits; the rows in flight (`maxInFlight × batchSize`) should cover what the collectors commit at once (`workers × collector.batchSize`, twice over), or throughput is bound by commit round trips"),
      key("streamer.instanceIndex", Type.NUMBER, "0", "STREAMER_INSTANCE_INDEX",
          "this streamer's share when several split the input (static split)"),
      key("streamer.instanceCount", Type.NUMBER, "1", "STREAMER_INSTANCE_COUNT",
          "how many streamers split the input; each GPU goes to exactly one"),
      key("streamer.source.type", Type.CHOICE, "csv", "STREAMER_SOURCE_TYPE",
          "where telemetry comes from: `csv` replays `csvPath` (the keys above), `simulate` runs a seeded simulated fleet (the keys below)"),
      key("streamer.source.gpus", Type.NUMBER, "64", "STREAMER_SOURCE_GPUS",
          "`simulate`: GPUs in the whole fleet; each streamer instance reports its share (`instanceIndex`/`instanceCount` or the cluster membership)"),
      key("streamer.source.gpusPerHost", Type.NUMBER, "8", "STREAMER_SOURCE_GPUS_PER_HOST",
          "`simulate`: GPUs per simulated host (when `hosts` is 0)"),
      key("streamer.source.hosts", Type.NUMBER, "0", "STREAMER_SOURCE_HOSTS",
          "`simulate`: hosts the GPUs are spread over, as evenly as whole hosts allow; `0` = derived from `gpusPerHost`"),
      key("streamer.source.metrics", Type.LIST, "[\"sample\"]", "STREAMER_SOURCE_METRICS",
          "`simulate`: DCGM fields reported per GPU, by name (`DCGM_FI_DEV_GPU_UTIL` or `gpu_util`); `sample` = the bundled sample's 10, `all` = every simulated field"),
      key("streamer.source.seed", Type.NUMBER, "1", "STREAMER_SOURCE_SEED",
          "`simulate`: seed of the simulation; one seed gives one fleet, on every streamer instance"),
      key("streamer.source.interval", Type.DURATION, "1s", "STREAMER_SOURCE_INTERVAL",
          "`simulate`: every GPU reports every metric once per interval, stamped with the processing time; a streamer that falls behind skips ticks (counted in `telemetry_source_ticks_skipped_total`). `dcgm-exporter`: how often each target is scraped, default `15s` (at least `100ms`)"),
      key("streamer.source.targets", Type.LIST, "[]", "STREAMER_SOURCE_TARGETS",
          "`dcgm-exporter`: the exporters to scrape, each a URL (`http://10.0.3.7:9400/metrics`) or `{\"url\": ..., \"hostname\": ...}` (the hostname replaces the exporter's `Hostname` label); the environment variable takes entries comma-separated, each a URL or `HOSTNAME=URL` (`gpu-node-7=http://10.0.3.7:9400/metrics`; also accepted in the descriptor). Several streamers split the targets by URL"),
      key("streamer.source.timeout", Type.DURATION, "10s", "STREAMER_SOURCE_TIMEOUT",
          "`dcgm-exporter`: longest one scrape may take, connect to last byte (default the smaller of 10s and the interval)"),
      key("streamer.source.concurrency", Type.NUMBER, "64", "STREAMER_SOURCE_CONCURRENCY",
          "`dcgm-exporter`: scrapes in flight at once, all targets together; due targets wait in line"),
      key("streamer.source.backoffMax", Type.DURATION, "5m", "STREAMER_SOURCE_BACKOFF_MAX",
          "`dcgm-exporter`: a failing target is retried after interval × 2^(failures−1), at most this"),
      key("streamer.source.maxResponseBytes", Type.NUMBER, "16777216", "STREAMER_SOURCE_MAX_RESPONSE_BYTES",
          "`dcgm-exporter`: a larger scrape body is refused and the scrape counted as failed"),
      key("streamer.source.forgetAfter", Type.DURATION, "1h", "STREAMER_SOURCE_FORGET_AFTER",
          "`dcgm-exporter`: a GPU a target has not shown for this long is dropped from its status"),
      key("streamer.source.uuidLabel", Type.STRING, "UUID", "STREAMER_SOURCE_UUID_LABEL",
          "`dcgm-exporter`: the exporter's label holding the GPU UUID"),
      key("streamer.source.maxSeriesPerTarget", Type.NUMBER, "50000", "STREAMER_SOURCE_MAX_SERIES_PER_TARGET",
          "`dcgm-exporter`: distinct series (GPU, metric, labels) a target may have within `forgetAfter`; samples of "
              + "further series are dropped and counted as `series-limit` rejects"),
      key("collector.workers", Type.NUMBER, "2", "COLLECTOR_WORKERS",
          "writer threads writing to the store concurrently"),
      key("collector.batchSize", Type.NUMBER, "5000", "COLLECTOR_BATCH_SIZE",
          "most samples per store write (one transaction)"),
      key("collector.pollInterval", Type.DURATION, "200ms", "COLLECTOR_POLL_INTERVAL",
          "longest an idle writer sleeps (writers are also woken on arrival)"),
      key("collector.bufferSize", Type.NUMBER, "65536", "COLLECTOR_BUFFER_SIZE",
          "capacity (samples) of the collector's ring; when full, batches are refused and retried"),
      key("store.type", Type.CHOICE, "memory", "STORE_TYPE",
          "`memory` (embedded, bounded, lost on exit) or `postgres` (production). The block may also be given as `collector.store`; it is the process's store: the collector writes it, the gateway reads it"),
      derived("store.maxBytes", Type.SIZE, "`60%` of the max heap", "STORE_MAX_BYTES",
          "memory store: most bytes its samples take (compressed chunks, open heads, bookkeeping); above it the oldest closed chunks of the whole fleet are dropped. Bytes (`536870912`), `512m`, `1g`, or a share of the max heap (`60%`)"),
      key("store.maxEntriesPerGPU", Type.NUMBER, "0", "STORE_MAX_ENTRIES_PER_GPU",
          "memory store: most samples kept per GPU, its oldest dropped first; `0` = no bound but `maxBytes`"),
      key("store.checkpoint.enabled", Type.BOOLEAN, "false", "STORE_CHECKPOINT_ENABLED",
          "memory store: write a crash-safe snapshot every `interval` (and on a clean stop) and restore it at start, before the collector takes samples; a corrupt or truncated file is set aside as `<path>.corrupt` and the store starts empty. Ignored, with one warning, on `postgres`"),
      key("store.checkpoint.path", Type.STRING, "data/checkpoint", "STORE_CHECKPOINT_PATH",
          "memory store: the checkpoint file; its directory (created when missing) also holds the file being written (`<path>.tmp`)"),
      key("store.checkpoint.interval", Type.DURATION, "1m", "STORE_CHECKPOINT_INTERVAL",
          "memory store: how often a checkpoint is written (at least 1s); samples committed since the last one are lost on a crash"),
      key("store.host", Type.STRING, "127.0.0.1", "DB_HOST",
          "PostgreSQL host"),
      key("store.port", Type.NUMBER, "5432", "DB_PORT",
          "PostgreSQL port"),
      key("store.database", Type.STRING, "telemetry", "DB_NAME",
          "database (must exist; the store creates and migrates its tables)"),
      key("store.user", Type.STRING, "telemetry", "DB_USER",
          "role; owns the tables, so it may create and drop partitions"),
      key("store.password", Type.STRING, "none", "DB_PASSWORD",
          "password (prefer `passwordFile`; never commit one)"),
      key("store.passwordFile", Type.STRING, "none", "DB_PASSWORD_FILE",
          "file holding the password (a mounted Secret); wins over `password`"),
      key("store.sslMode", Type.STRING, "prefer", "DB_SSLMODE",
          "`disable`, `prefer`, `require`, `verify-full` (libpq semantics)"),
      key("store.sslRootCert", Type.STRING, "none", "DB_SSLROOTCERT",
          "PEM CA for `verify-full` (required there)"),
      key("store.poolSize", Type.NUMBER, "4", "DB_POOL_SIZE",
          "connections per process"),
      key("store.retention", Type.DURATION, "7d", "DB_RETENTION",
          "samples older than this are dropped, a whole daily partition at a time; `0d` keeps all"),
      key("store.compaction.after", Type.DURATION, "1h", "DB_COMPACTION_AFTER",
          "raw samples older than this are compacted into hourly chunks (PostgreSQL)"),
      key("store.compaction.interval", Type.DURATION, "5m", "DB_COMPACTION_INTERVAL",
          "how often a compaction pass runs on each collector; `0s` turns compaction off"),
      key("gateway.host", Type.STRING, "0.0.0.0", "GATEWAY_HOST",
          "interface the HTTP server binds"),
      key("gateway.port", Type.NUMBER, "8080", "GATEWAY_PORT",
          "HTTP port; `0` = a free port (tests)"),
      key("gateway.cors.allowedOrigins", Type.LIST, "[]", "GATEWAY_CORS_ALLOWED_ORIGINS",
          "origins allowed by CORS; empty = CORS off"),
      derived("gateway.cors.enabled", Type.BOOLEAN, "`true` if `allowedOrigins` is given, else `false`", "GATEWAY_CORS_ENABLED",
          "CORS on or off; on with no `allowedOrigins` allows any origin (`*`), off ignores `allowedOrigins`"),
      key("gateway.cors.allowedMethods", Type.LIST, "[\"GET\",\"OPTIONS\"]", "GATEWAY_CORS_ALLOWED_METHODS",
          "methods allowed by CORS"),
      key("gateway.tls.enabled", Type.BOOLEAN, "false", "GATEWAY_TLS_ENABLED",
          "serve HTTPS instead of HTTP"),
      key("gateway.tls.certPath", Type.STRING, "none", "GATEWAY_TLS_CERT",
          "PEM certificate (chain); required with TLS, checked before any port is bound"),
      key("gateway.tls.keyPath", Type.STRING, "none", "GATEWAY_TLS_KEY",
          "PEM private key; required with TLS, checked before any port is bound"),
      derived("gateway.auth.enabled", Type.BOOLEAN, "`true` if tokens are given, else `false`", "GATEWAY_AUTH_ENABLED",
          "bearer-token authentication of `/api/*` and `/ws/*`"),
      key("gateway.auth.tokenFile", Type.STRING, "none", "GATEWAY_AUTH_TOKEN_FILE",
          "accepted tokens, one per line (a mounted secret; `#` comments allowed)"),
      key("gateway.auth.tokens", Type.LIST, "[]", null,
          "accepted tokens inline (for tests; never commit real ones, use `tokenFile`)"),
      key("gateway.websocket.enabled", Type.BOOLEAN, "true", "GATEWAY_WEBSOCKET_ENABLED",
          "serve the live feed `/ws/telemetry`; `false` = not mounted (404)"),
      key("gateway.websocket.queueSize", Type.NUMBER, "10000", "GATEWAY_WEBSOCKET_QUEUE_SIZE",
          "samples a slow live-feed client may have queued before the oldest are dropped"),
      key("gateway.instances", Type.NUMBER, "0", "GATEWAY_INSTANCES",
          "HTTP servers sharing the port, each on its own event loop; `0` = one per CPU core (port `0`, a free port in tests, always gets one)"),
      key("gateway.idleTimeout", Type.DURATION, "1m", "GATEWAY_IDLE_TIMEOUT",
          "a connection that sends and receives nothing for this long is closed (HTTP keep-alive and WebSocket alike; the live feed pings a silent client at a third of it)"),
      key("gateway.headerTimeout", Type.DURATION, "10s", "GATEWAY_HEADER_TIMEOUT",
          "a new connection must have sent its first request's headers within this long, a kept-alive one its next request's within `idleTimeout` + this (stops slowloris clients)"),
      key("gateway.maxConnections", Type.NUMBER, "0", "GATEWAY_MAX_CONNECTIONS",
          "open connections the gateway serves; `0` = three quarters of the file-descriptor limit, 64 to 10,000 (the start line prints it). Connections the gateway serves are shared by the servers of one port; past the cap `/health`, `/ready` and `/metrics` still answer on 16 spare connections, anything else gets 503, and further connections are closed at once, counted"),
      key("gateway.staleAfter", Type.DURATION, "5m", "GATEWAY_STALE_AFTER",
          "a GPU whose newest sample is older than this is `stale` in `/api/v1/gpus` (`status`) and counted by `telemetry_gpus_stale`"),
      key("gateway.graphql.enabled", Type.BOOLEAN, "true", "ENABLE_GRAPHQL",
          "serve GraphQL at `/graphql` (queries, and subscriptions over graphql-transport-ws) and GraphiQL at `/graphiql`; `false` = both 404"),
      key("gateway.upload.enabled", Type.BOOLEAN, "true", "GATEWAY_UPLOAD_ENABLED",
          "serve the CSV upload `POST /api/v1/csv/upload` and its status `/api/v1/csv/uploads`; `false` = neither mounted nor documented (`GET` 404, `POST` 405)"),
      derived("gateway.upload.dir", Type.STRING, "`telemetry-uploads` in `java.io.tmpdir`", "GATEWAY_UPLOAD_DIR",
          "where uploaded files are streamed to and wait to be ingested; each is deleted once ingested (or refused)"),
      key("gateway.upload.maxBytes", Type.NUMBER, "268435456", "GATEWAY_UPLOAD_MAX_BYTES",
          "largest upload in bytes (256 MiB); larger gets 413, by `Content-Length` or while streaming"),
      key("gateway.upload.maxQueued", Type.NUMBER, "4", "GATEWAY_UPLOAD_MAX_QUEUED",
          "uploads being received, waiting or being ingested at once in a process (they are ingested one at a time); more get 429 with `Retry-After`"),
      key("ops.enabled", Type.BOOLEAN, "true", "OPS_ENABLED",
          "processes without the gateway role serve `/health`, `/ready`, `/metrics` on `ops.port`"),
      key("ops.host", Type.STRING, "0.0.0.0", "OPS_HOST",
          "interface the ops server binds"),
      key("ops.port", Type.NUMBER, "9090", "OPS_PORT",
          "ops HTTP port (not used when the process runs the gateway: the gateway port serves them)"),
      key("transport.type", Type.CHOICE, "local", "TRANSPORT_TYPE",
          "`local` (one JVM), `clustered` (Vert.x event bus clustered by Hazelcast) or `redis` (Redis Streams bridge)"),
      key("transport.sendTimeout", Type.DURATION, "30s", null,
          "how long a batch may stay unacknowledged before it is sent again"),
      key("transport.cluster.name", Type.STRING, "telemetry", "CLUSTER_NAME",
          "Hazelcast cluster name; members with another name never join"),
      key("transport.cluster.members", Type.LIST, "[\"127.0.0.1\"]", "CLUSTER_MEMBERS",
          "TCP-IP join members, `host` or `host:port` (a bare host is tried on `port` and the next two); ignored with `kubernetes`"),
      key("transport.cluster.interface", Type.STRING, "127.0.0.1", "CLUSTER_INTERFACE",
          "IP address of this host that Hazelcast and the event bus bind and advertise (the pod IP in Kubernetes)"),
      key("transport.cluster.port", Type.NUMBER, "5701", "CLUSTER_PORT",
          "first Hazelcast port tried; the next free one is taken when it is in use"),
      key("transport.cluster.kubernetes", Type.BOOLEAN, "false", "CLUSTER_KUBERNETES",
          "find members through the Kubernetes API (endpoints of a headless service) instead of `members`"),
      key("transport.cluster.kubernetesService", Type.STRING, "none", "CLUSTER_KUBERNETES_SERVICE",
          "that headless service; required with `kubernetes`"),
      key("transport.cluster.joinWait", Type.DURATION, "1s", "CLUSTER_JOIN_WAIT",
          "how long a starting member waits for others before it forms a cluster alone (whole seconds, 0-60)"),
      key("transport.cluster.memberTimeout", Type.DURATION, "10s", "CLUSTER_MEMBER_TIMEOUT",
          "a member missing heartbeats this long is dropped (whole seconds, 2-300); a process that died is usually dropped within a second, when its host refuses reconnections"),
      key("transport.cluster.eventBusPort", Type.NUMBER, "0", "CLUSTER_EVENT_BUS_PORT",
          "TCP port of the event bus between members; `0` = any free port"),
      key("transport.redis.host", Type.STRING, "127.0.0.1", "REDIS_HOST",
          "Redis host"),
      key("transport.redis.port", Type.NUMBER, "6379", "REDIS_PORT",
          "Redis port (the TLS port when `tls.enabled`)"),
      key("transport.redis.password", Type.STRING, "none", "REDIS_PASSWORD",
          "Redis AUTH password (prefer `passwordFile`; never commit one)"),
      key("transport.redis.passwordFile", Type.STRING, "none", "REDIS_PASSWORD_FILE",
          "file holding the password (a mounted Secret); wins over `password`"),
      key("transport.redis.database", Type.NUMBER, "0", "REDIS_DATABASE",
          "Redis database number"),
      key("transport.redis.stream", Type.STRING, "telemetry", "REDIS_STREAM",
          "the stream streamers append to and collectors read"),
      key("transport.redis.group", Type.STRING, "collectors", "REDIS_GROUP",
          "the collectors' consumer group"),
      key("transport.redis.maxLen", Type.NUMBER, "20000", "REDIS_MAXLEN",
          "approximate bound of the stream in entries (`XADD MAXLEN ~`); the edge spools rather than let trimming cut unread entries. An entry is one batch (about 70 bytes a row), so this is Redis memory: 20,000 entries of 500-row batches take about 700 MB"),
      key("transport.redis.claimIdle", Type.DURATION, "30s", null,
          "how long an entry stays pending with a silent consumer before another collector claims it"),
      key("transport.redis.maxDeliveries", Type.NUMBER, "5", null,
          "deliveries after which an entry goes to the dead-letter stream"),
      derived("transport.redis.deadLetterStream", Type.STRING, "`<stream>:dead`", null,
          "where over-delivered and undecodable entries go"),
      key("transport.redis.timeout", Type.DURATION, "5s", null,
          "longest wait for a connection or a reply before the link counts as lost"),
      key("transport.redis.readCount", Type.NUMBER, "64", null,
          "entries per `XREADGROUP`; a collector holds at most twice as many unacknowledged"),
      key("transport.redis.tls.enabled", Type.BOOLEAN, "false", "REDIS_TLS_ENABLED",
          "TLS to Redis (`rediss://`)"),
      key("transport.redis.tls.caCert", Type.STRING, "none", "REDIS_TLS_CA_CERT",
          "CA that signed the server's certificate: a PEM file path or the PEM text; none = the JVM's trust store"),
      key("transport.redis.tls.skipVerify", Type.BOOLEAN, "false", "REDIS_TLS_SKIP_VERIFY",
          "trust any server certificate (tests only)"),
      key("transport.spool.dir", Type.STRING, "data/spool", "SPOOL_DIR",
          "edge spool directory (a volume in Kubernetes: `mq.persistence`); checked before any port is bound"),
      key("transport.spool.maxBytes", Type.NUMBER, "1073741824", "SPOOL_MAX_BYTES",
          "most bytes the spool holds; when full the streamer slows down"),
      key("transport.spool.segmentBytes", Type.NUMBER, "16777216", null,
          "size of one spool segment file"),
      key("transport.spool.fsync", Type.CHOICE, "interval", null,
          "`always` (every batch on disk before it counts as sent), `interval` (about once a second) or `never`"));

  /**
   * A short environment variable of the seeds' deployment guide, standing for one or more keys. A
   * key's own variable wins over its alias when both are set.
   *
   * @param variable the variable
   * @param paths the keys it sets (BATCH_SIZE sets both roles' batch sizes: a process of one role uses its own)
   */
  public record Alias(String variable, List<String> paths) {
  }

  /**
   * The aliases. {@code LOG_LEVEL} is no key: logback.xml reads it for the root level and
   * {@link EnvOverrides} checks its value. {@code CLUSTER_ID} is {@code cluster.id}'s own variable.
   */
  public static final List<Alias> ALIASES = List.of(
      new Alias("CSV_FILE", List.of("streamer.csvPath")),
      new Alias("BATCH_SIZE", List.of("streamer.batchSize", "collector.batchSize")),
      new Alias("STREAM_INTERVAL", List.of("streamer.streamInterval")),
      new Alias("PROCESSING_INTERVAL", List.of("collector.pollInterval")),
      new Alias("PORT", List.of("gateway.port")),
      new Alias("ENABLE_WEBSOCKET", List.of("gateway.websocket.enabled")),
      new Alias("ENABLE_CORS", List.of("gateway.cors.enabled")));

  private static final Map<String, ConfigKey> BY_PATH = index();

  private ConfigKeys() {
  }

  /** The key at {@code path}, or {@code null}. */
  public static ConfigKey get(String path) {
    return BY_PATH.get(path);
  }

  /** The names that may appear directly in the block at {@code prefix} ({@code ""} for the top level). */
  public static Set<String> namesIn(String prefix) {
    Set<String> names = new TreeSet<>();
    String start = prefix.isEmpty() ? "" : prefix + ".";
    for (ConfigKey k : ALL) {
      if (k.path().startsWith(start)) {
        String rest = k.path().substring(start.length());
        int dot = rest.indexOf('.');
        names.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    return names;
  }

  /**
   * How to change the value of {@code path}: the key, and its variable when it has one
   * ({@code gateway.port or GATEWAY_PORT}).
   */
  public static String howToSet(String path) {
    ConfigKey k = get(path);
    return k == null || k.env() == null ? path : path + " or " + k.env();
  }

  private static ConfigKey key(String path, Type type, String defaultValue, String env, String description) {
    return new ConfigKey(path, type, defaultValue, false, env, description);
  }

  private static ConfigKey derived(String path, Type type, String defaultValue, String env, String description) {
    return new ConfigKey(path, type, defaultValue, true, env, description);
  }

  private static Map<String, ConfigKey> index() {
    Map<String, ConfigKey> out = new LinkedHashMap<>();
    for (ConfigKey k : ALL) {
      if (out.put(k.path(), k) != null) {
        throw new IllegalStateException("key listed twice: " + k.path());
      }
    }
    return out;
  }
}
