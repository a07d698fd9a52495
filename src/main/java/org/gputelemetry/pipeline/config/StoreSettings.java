package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;

/**
 * Where samples are kept ({@code store} block, also accepted as {@code collector.store}). One
 * store serves the whole process: the collector writes it, the gateway reads it. Immutable.
 *
 * @param type {@code memory} (embedded, the default) or {@code postgres}
 * @param maxBytes memory store: most bytes its samples take, the oldest closed chunks fleet-wide dropped first
 * @param maxEntriesPerGPU memory store: most samples kept per GPU, oldest dropped first; 0 = no bound
 * @param password PostgreSQL password, already read from {@code passwordFile} when that is set
 * @param sslMode {@code disable}, {@code prefer}, {@code require} or {@code verify-full}
 * @param retention PostgreSQL: samples older than this are dropped, a whole partition at a time
 * @param compactionAfter PostgreSQL: raw samples older than this are compacted into chunks; zero compacts every closed range
 * @param compactionInterval PostgreSQL: how often a compaction pass runs; zero turns compaction off
 * @param checkpoint memory store: periodic snapshots on disk, restored at start
 */
public record StoreSettings(StoreType type, long maxBytes, int maxEntriesPerGPU,
                            String host, int port, String database, String user, String password,
                            String sslMode, String sslRootCert, int poolSize, Duration retention,
                            Duration compactionAfter, Duration compactionInterval,
                            CheckpointSettings checkpoint) {

  /** The memory store's default bound: a share of the heap that leaves room for everything else. */
  public static final String DEFAULT_MAX_BYTES = "60%";
  private static final long MIN_MAX_BYTES = 1L << 20;

  public static StoreSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "store");
    StoreSettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static StoreSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    String password = j.secret("password", "passwordFile");
    DescriptorJson compaction = j.child("compaction").allowOnly();
    return new StoreSettings(
        j.choice("type", StoreType.MEMORY, StoreType.class),
        j.size("maxBytes", DEFAULT_MAX_BYTES, Runtime.getRuntime().maxMemory(), MIN_MAX_BYTES),
        j.intValue("maxEntriesPerGPU", 0, 0, 100_000_000),
        j.string("host", "127.0.0.1"),
        j.intValue("port", 5432, 1, 65_535),
        j.string("database", "telemetry"),
        j.string("user", "telemetry"),
        password,
        j.choice("sslMode", "prefer", Set.of("disable", "prefer", "require", "verify-full")),
        j.string("sslRootCert", null),
        j.intValue("poolSize", 4, 1, 256),
        j.duration("retention", Duration.ofDays(7)),
        compaction.duration("after", Duration.ofHours(1)),
        compaction.duration("interval", Duration.ofMinutes(5)),
        CheckpointSettings.fromJson(j.child("checkpoint")));
  }

  /** The settings without the password, for logs and the effective-config dump. */
  public JsonObject toJson() {
    return new JsonObject().put("type", type.configName()).put("maxBytes", maxBytes)
        .put("maxEntriesPerGPU", maxEntriesPerGPU)
        .put("host", host).put("port", port).put("database", database).put("user", user)
        .put("sslMode", sslMode).put("sslRootCert", sslRootCert).put("poolSize", poolSize)
        .put("retention", Durations.format(retention))
        .put("compaction", new JsonObject().put("after", Durations.format(compactionAfter))
            .put("interval", Durations.format(compactionInterval)))
        .put("checkpoint", checkpoint.toJson());
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
