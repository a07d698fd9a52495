package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineSettingsTest {

  @Test
  void emptyDescriptorYieldsTheDocumentedDefaults() {
    PipelineSettings s = PipelineSettings.fromJson(new JsonObject());
    assertEquals(List.of("streamer", "collector", "gateway"), s.roleNames());
    assertNull(s.streamer().csvPath());
    assertTrue(s.streamer().loopMode());
    assertEquals(TimestampMode.PROCESSING, s.streamer().timestampMode());
    assertEquals(1250, s.streamer().rate());
    assertEquals(2, s.streamer().workers());
    assertEquals(500, s.streamer().batchSize());
    assertEquals(Duration.ofMillis(100), s.streamer().streamInterval());
    assertEquals(2, s.collector().workers());
    assertEquals(5000, s.collector().batchSize());
    assertEquals(Duration.ofMillis(200), s.collector().pollInterval());
    assertEquals(65536, s.collector().bufferSize());
    assertEquals(StoreType.MEMORY, s.store().type());
    assertEquals(0, s.store().maxEntriesPerGPU());
    assertEquals(Runtime.getRuntime().maxMemory() / 100 * 60, s.store().maxBytes());
    assertEquals(8080, s.gateway().port());
    assertEquals(TransportType.LOCAL, s.transport().type());
  }

  @Test
  void toJsonRoundTripsToTheSameSettings() {
    PipelineSettings s = PipelineSettings.fromJson(new JsonObject()
        .put("streamer", new JsonObject().put("rate", 0).put("streamInterval", "2s"))
        .put("collector", new JsonObject().put("store", new JsonObject().put("maxEntriesPerGPU", 5))));
    assertEquals(s, PipelineSettings.fromJson(s.toJson()));
  }

  @Test
  void collectorStoreIsTheProcessStore() {
    PipelineSettings s = PipelineSettings.fromJson(new JsonObject()
        .put("collector", new JsonObject().put("store", new JsonObject().put("type", "memory").put("maxEntriesPerGPU", 7))));
    assertEquals(7, s.store().maxEntriesPerGPU());
    ConfigException twice = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(new JsonObject()
        .put("store", new JsonObject()).put("collector", new JsonObject().put("store", new JsonObject()))));
    assertTrue(twice.getMessage().contains("collector.store"));
  }

  @Test
  void rejectsUnknownRoleNamingTheKey() {
    assertKey("roles", new JsonObject().put("roles", new JsonArray().add("streamer").add("archiver")));
    assertKey("roles", new JsonObject().put("roles", new JsonArray()));
  }

  @Test
  void rejectsWrongTypesAndRangesNamingTheKey() {
    assertKey("streamer.batchSize", new JsonObject().put("streamer", new JsonObject().put("batchSize", -5)));
    assertKey("streamer.batchSize", new JsonObject().put("streamer", new JsonObject().put("batchSize", "big")));
    assertKey("streamer.loopMode", new JsonObject().put("streamer", new JsonObject().put("loopMode", "yes")));
    assertKey("streamer.timestampMode", new JsonObject().put("streamer", new JsonObject().put("timestampMode", "wall")));
    assertKey("streamer.streamInterval", new JsonObject().put("streamer", new JsonObject().put("streamInterval", "soon")));
    assertKey("collector.bufferSize", new JsonObject().put("collector", new JsonObject().put("bufferSize", 0)));
    assertKey("gateway.port", new JsonObject().put("gateway", new JsonObject().put("port", 70000)));
    assertKey("store.type", new JsonObject().put("store", new JsonObject().put("type", "mongo")));
    assertKey("transport.type", new JsonObject().put("transport", new JsonObject().put("type", "kafka")));
    assertKey("streamer.instanceIndex", new JsonObject().put("streamer", new JsonObject().put("instanceIndex", 3).put("instanceCount", 3)));
  }

  @Test
  void rejectsUnknownKeysSoTyposDoNotFallBackToDefaults() {
    assertKey("streamer.batchsize", new JsonObject().put("streamer", new JsonObject().put("batchsize", 10)));
    assertKey("colector", new JsonObject().put("colector", new JsonObject()));
  }

  @Test
  void missingCsvFileIsReportedBeforeAnyPortIsBound(@TempDir Path dir) {
    // parsing accepts any path (a gateway-only process may inherit CSV_PATH); StartupChecks checks the file
    PipelineSettings s = PipelineSettings.fromJson(new JsonObject()
        .put("streamer", new JsonObject().put("csvPath", dir.resolve("absent.csv").toString())));
    assertEquals(dir.resolve("absent.csv").toString(), s.streamer().csvPath());
    ConfigException e = assertThrows(ConfigException.class, () -> StartupChecks.check(s));
    assertTrue(e.getMessage().contains("'streamer.csvPath'") && e.getMessage().contains("absent.csv"), e.getMessage());
    StartupChecks.check(PipelineSettings.fromJson(new JsonObject().put("roles", new JsonArray().add("gateway"))
        .put("streamer", new JsonObject().put("csvPath", dir.resolve("absent.csv").toString()))));
  }

  @Test
  void unusableSpoolDirectoryOfAnEdgeStreamerIsReportedBeforeAnyPortIsBound(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    JsonObject descriptor = new JsonObject().put("roles", new JsonArray().add("streamer"))
        .put("transport", new JsonObject().put("type", "redis").put("spool", new JsonObject().put("dir", file.toString())));
    ConfigException e = assertThrows(ConfigException.class, () -> StartupChecks.check(PipelineSettings.fromJson(descriptor)));
    assertTrue(e.getMessage().contains("'transport.spool.dir'") && e.getMessage().contains("not-a-dir"), e.getMessage());
    descriptor.getJsonObject("transport").getJsonObject("spool").put("dir", dir.resolve("a/b/spool").toString());
    StartupChecks.check(PipelineSettings.fromJson(descriptor));
  }

  @Test
  void everyProblemOfADescriptorIsReportedInOneStart() {
    ConfigException e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(new JsonObject()
        .put("streamer", new JsonObject().put("batchSize", -1).put("batchsize", 3))
        .put("colector", new JsonObject())
        .put("gateway", new JsonObject().put("port", "http"))
        .put("transport", new JsonObject().put("type", "kafka").put("spool", new JsonObject().put("fsync", "Always")))));
    String m = e.getMessage();
    for (String key : List.of("streamer.batchSize", "streamer.batchsize", "colector", "gateway.port", "transport.type",
        "transport.spool.fsync")) {
      assertTrue(m.contains("'" + key + "'"), key + " missing from: " + m);
    }
    assertEquals(6, e.problems().size(), m);
    assertTrue(m.startsWith("6 configuration problems:\n"), m);
  }

  @Test
  void closedSetsAreCaseSensitiveAndListTheAllowedValues() {
    ConfigException e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(new JsonObject()
        .put("transport", new JsonObject().put("type", "Redis"))));
    assertEquals("invalid configuration 'transport.type': expected one of local, clustered, redis, got 'Redis'", e.getMessage());
    e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(new JsonObject()
        .put("roles", new JsonArray().add("Gateway"))));
    assertTrue(e.getMessage().contains("known roles: streamer, collector, gateway"), e.getMessage());
    assertEquals(FsyncPolicy.ALWAYS, PipelineSettings.fromJson(new JsonObject().put("transport", new JsonObject()
        .put("spool", new JsonObject().put("fsync", "always")))).transport().spool().fsync());
  }

  @Test
  void everyBadEnvironmentVariableIsReported() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_RATE", "fast", "OPS_ENABLED", "yes")));
    assertTrue(e.getMessage().contains("STREAMER_RATE") && e.getMessage().contains("OPS_ENABLED"), e.getMessage());
  }

  @Test
  void environmentOverridesDescriptorValues() {
    JsonObject descriptor = new JsonObject().put("streamer", new JsonObject().put("rate", 5));
    PipelineSettings s = PipelineSettings.fromDescriptor(descriptor, Map.of(
        "STREAMER_RATE", "42", "GATEWAY_PORT", "9999", "CSV_PATH", "/data/x.csv", "ROLES", "streamer, gateway",
        "STREAMER_LOOP_MODE", "false", "TRANSPORT_TYPE", "redis", "REDIS_HOST", "redis.example", "DB_HOST", "db.example",
        "GATEWAY_CORS_ALLOWED_ORIGINS", "https://a.example,https://b.example"));
    assertEquals(42, s.streamer().rate());
    assertEquals(9999, s.gateway().port());
    assertEquals("/data/x.csv", s.streamer().csvPath());
    assertEquals(List.of("streamer", "gateway"), s.roleNames());
    assertEquals(false, s.streamer().loopMode());
    assertEquals(TransportType.REDIS, s.transport().type());
    assertEquals("redis.example", s.transport().redis().host());
    assertEquals("db.example", s.store().host());
    assertEquals(List.of("https://a.example", "https://b.example"), s.gateway().corsAllowedOrigins());
  }

  @Test
  void environmentOverrideAppliesOnTopOfCollectorStoreSpelling() {
    JsonObject descriptor = new JsonObject().put("collector", new JsonObject().put("store",
        new JsonObject().put("type", "memory").put("maxEntriesPerGPU", 3)));
    PipelineSettings s = PipelineSettings.fromDescriptor(descriptor, Map.of("STORE_MAX_ENTRIES_PER_GPU", "9"));
    assertEquals(9, s.store().maxEntriesPerGPU());
  }

  @Test
  void clusterIdDefaultsToLocalAndIsSetByClusterIdVariable() {
    assertEquals("local", PipelineSettings.fromDescriptor(new JsonObject(), Map.of()).clusterId());
    assertEquals("edge-eu1", PipelineSettings.fromDescriptor(new JsonObject(), Map.of("CLUSTER_ID", "edge-eu1")).clusterId());
    ConfigException e = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromJson(new JsonObject().put("cluster", new JsonObject().put("id", "edge,eu 1"))));
    assertTrue(e.getMessage().contains("'cluster.id'") && e.getMessage().contains("edge,eu 1"), e.getMessage());
  }

  @Test
  void checkpointKeysParseWithTheirVariablesAndRejectATooShortInterval() {
    StoreSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STORE_CHECKPOINT_ENABLED", "true",
        "STORE_CHECKPOINT_PATH", "/var/lib/telemetry/collector/checkpoint", "STORE_CHECKPOINT_INTERVAL", "30s")).store();
    assertEquals(new CheckpointSettings(true, "/var/lib/telemetry/collector/checkpoint", java.time.Duration.ofSeconds(30)),
        s.checkpoint());
    assertEquals(new CheckpointSettings(false, "data/checkpoint", java.time.Duration.ofMinutes(1)),
        PipelineSettings.fromJson(new JsonObject()).store().checkpoint());
    ConfigException e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(new JsonObject().put("store",
        new JsonObject().put("checkpoint", new JsonObject().put("interval", "100ms")))));
    assertTrue(e.getMessage().contains("'store.checkpoint.interval'"), e.getMessage());
  }

  @Test
  void storeMaxBytesTakesBytesBinaryMultiplesAndAShareOfTheHeap() {
    long heap = Runtime.getRuntime().maxMemory();
    assertEquals(512L << 20, storeMaxBytes("512m"));
    assertEquals(1L << 30, storeMaxBytes("1g"));
    assertEquals(3L << 30, storeMaxBytes("3GiB"));
    assertEquals(heap / 100 * 25, storeMaxBytes("25%"));
    assertEquals(2_000_000L, PipelineSettings.fromJson(new JsonObject().put("store",
        new JsonObject().put("maxBytes", 2_000_000))).store().maxBytes());
    assertEquals(64L << 20, PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STORE_MAX_BYTES", "64m"))
        .store().maxBytes());
  }

  @Test
  void badStoreMaxBytesNamesTheKey() {
    for (String bad : new String[] {"lots", "0%", "101%", "12q", "1k"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> storeMaxBytes(bad), bad);
      assertTrue(e.getMessage().contains("'store.maxBytes'"), e.getMessage());
    }
  }

  private static long storeMaxBytes(String size) {
    return PipelineSettings.fromJson(new JsonObject().put("store", new JsonObject().put("maxBytes", size)))
        .store().maxBytes();
  }

  @Test
  void badEnvironmentValueNamesVariableAndKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromDescriptor(new JsonObject(), Map.of("STREAMER_RATE", "fast")));
    assertTrue(e.getMessage().contains("STREAMER_RATE") && e.getMessage().contains("streamer.rate"), e.getMessage());
  }

  @Test
  void passwordsComeFromFilesAndStayOutOfTheEffectiveConfig(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("db-password");
    Files.writeString(secret, "s3cret-from-file\n");
    PipelineSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("DB_PASSWORD_FILE", secret.toString(),
        "REDIS_PASSWORD", "redis-s3cret"));
    assertEquals("s3cret-from-file", s.store().password());
    assertEquals("redis-s3cret", s.transport().redis().password());
    String dump = s.toJson().encode();
    assertTrue(!dump.contains("s3cret-from-file") && !dump.contains("redis-s3cret"), dump);
  }

  @Test
  void durationsParseAndPrint() {
    assertEquals(Duration.ofMillis(250), Durations.parse("k", "250ms"));
    assertEquals(Duration.ofDays(7), Durations.parse("k", "7d"));
    assertEquals("7d", Durations.format(Duration.ofDays(7)));
    assertEquals("100ms", Durations.format(Duration.ofMillis(100)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertThrows(ConfigException.class, () -> Durations.parse("k", "-1s"));
  }

  @Test
  void everyShippedDescriptorParses() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/conf"))) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".json")).toList();
      assertTrue(all.size() >= 4, "descriptors: " + all);
      for (Path p : all) {
        PipelineSettings s = PipelineSettings.fromJson(new JsonObject(Files.readString(p)));
        assertTrue(!s.roles().isEmpty(), p.toString());
      }
    }
  }

  @Test
  void configurationPageDocumentsEveryEnvironmentVariable() throws IOException {
    String doc = Files.readString(ConfigurationDocTest.PAGE);
    for (EnvOverrides.Mapping m : EnvOverrides.MAPPINGS) {
      assertTrue(doc.contains("`" + m.variable() + "`"), "docs/configuration.md does not document " + m.variable());
    }
  }

  @Test
  void configurationPageDocumentsEveryDescriptorKey() throws IOException {
    String doc = Files.readString(ConfigurationDocTest.PAGE);
    String table = doc.substring(doc.indexOf("## Keys"), doc.indexOf("## Environment variables"));
    List<String> keys = new java.util.ArrayList<>();
    leafKeys("", PipelineSettings.fromJson(new JsonObject()).toJson(), keys);
    keys.remove("instanceId");
    assertTrue(keys.size() > 60, "keys: " + keys);
    for (String key : keys) {
      assertTrue(table.contains("| `" + key + "` |"), "docs/configuration.md's key table does not document " + key);
      assertTrue(ConfigKeys.get(key) != null, "ConfigKeys does not list " + key);
    }
  }

  private static void leafKeys(String prefix, JsonObject json, List<String> out) {
    for (String name : json.fieldNames()) {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      if (json.getValue(name) instanceof JsonObject child) {
        leafKeys(path, child, out);
      } else {
        out.add(path);
      }
    }
  }

  private static void assertKey(String key, JsonObject descriptor) {
    ConfigException e = assertThrows(ConfigException.class, () -> PipelineSettings.fromJson(descriptor));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }
}
