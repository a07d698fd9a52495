package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.CA_PEM;
import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.REDIS_SECRET;
import static org.gputelemetry.pipeline.helm.HelmReleases.allFeatures;
import static org.gputelemetry.pipeline.helm.HelmReleases.b64;
import static org.gputelemetry.pipeline.helm.HelmReleases.descriptorOf;
import static org.gputelemetry.pipeline.helm.HelmReleases.mountedFile;
import static org.gputelemetry.pipeline.helm.HelmReleases.projectedVolume;
import static org.gputelemetry.pipeline.helm.HelmReleases.renderWith;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.name;
import static org.gputelemetry.pipeline.helm.RenderedChart.podTemplate;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External PostgreSQL and Redis as the seeds (000, 001, 002) spell them, rendered as users write them: hosts,
 * passwords in Secrets, CA certificates inline or from a Secret, mounted where the descriptor points the jar.
 */
class HelmExternalServicesTest {

  /** Seed 000, "External Services Configuration", verbatim. */
  static final String SEED_000_EXTERNAL_SERVICES = """
      # External database
      postgresql:
        enabled: false

      externalDatabase:
        host: "postgres.company.com"
        port: 5432
        username: "telemetry_user"
        password: "secure-password"
        database: "telemetry_prod"
        sslMode: "require"

      # External Redis
      redis:
        enabled: false

      externalRedis:
        enabled: true
        host: "redis.company.com"
        port: 6379
        password: "redis-password"
        tls:
          enabled: true
      """;

  /** Seed 000, "TLS Configuration", verbatim: the CA certificate inline as PEM. */
  static final String SEED_000_TLS = """
      externalRedis:
        tls:
          enabled: true
          skipVerify: false
          caCert: |
            -----BEGIN CERTIFICATE-----
            ...
            -----END CERTIFICATE-----

      externalDatabase:
        sslMode: "require"
      """;

  /** Seed 001, "External Redis Configuration", verbatim: a password and auth.existingSecret both. */
  static final String SEED_001_EXTERNAL_REDIS = """
      externalRedis:
        enabled: true
        host: "redis.shared-infra.company.com"
        port: 6379
        password: "your-redis-password"
        database: 0
        tls:
          enabled: true
          skipVerify: false
          caCert: |
            -----BEGIN CERTIFICATE-----
            ...your CA certificate...
            -----END CERTIFICATE-----
        auth:
          enabled: true
          existingSecret: "redis-credentials"
          existingSecretPasswordKey: "password"
      """;

  @Test
  void seed000ExternalServicesBlockRendersOnTheCentralValues(@TempDir Path tmp) throws IOException {
    RenderedChart chart = renderWith("telemetry-central", "values-central-cluster.yaml", tmp,
        List.of(SEED_000_EXTERNAL_SERVICES), sets());

    assertEquals(Set.of("collector", "api-gateway"),
        chart.workloads().stream().map(RenderedChart::component).collect(Collectors.toSet()), "no in-cluster database");
    for (String component : List.of("collector", "api-gateway")) {
      Map<String, Object> workload = chart.workload(component);
      JsonObject descriptor = descriptorOf(chart, workload);
      JsonObject store = descriptor.getJsonObject("store");
      assertEquals("postgres.company.com", store.getString("host"), component);
      assertEquals(5432, store.getInteger("port"), component);
      assertEquals("telemetry_user", store.getString("user"), component + ": externalDatabase.username");
      assertEquals("telemetry_prod", store.getString("database"), component);
      assertEquals("require", store.getString("sslMode"), component);
      assertFalse(store.containsKey("sslRootCert"), component);
      JsonObject redis = descriptor.getJsonObject("transport").getJsonObject("redis");
      assertEquals("redis.company.com", redis.getString("host"), component);
      assertEquals(6379, redis.getInteger("port"), component);
      assertEquals(true, redis.getJsonObject("tls").getBoolean("enabled"), component);
      assertNotNull(envEntry(container(workload), "DB_PASSWORD_FILE"), component);
      assertNotNull(envEntry(container(workload), "REDIS_PASSWORD_FILE"), component);
    }
    assertEquals(b64("secure-password"), at(chart.named("Secret", "telemetry-central-telemetry-pipeline-external-db"),
        "data.password"));
    assertEquals(b64("redis-password"), at(chart.named("Secret", "telemetry-central-telemetry-pipeline-external-redis"),
        "data.password"));
    // the mounted file is called redis-password too, so look for the password as a value, not a file name
    java.util.regex.Pattern redisPassword = java.util.regex.Pattern.compile("(?<![/\\w-])(?<!path: )redis-password");
    for (String document : chart.nonSecretDocuments()) {
      assertFalse(document.contains("secure-password"), document);
      assertFalse(redisPassword.matcher(document).find(), document);
    }
  }

  @Test
  void seed000InlineCaCertificateIsMountedWhereTheDescriptorPointsTheJar(@TempDir Path tmp) throws IOException {
    RenderedChart central = renderWith("telemetry-central", "values-central-cluster.yaml", tmp,
        List.of(SEED_000_EXTERNAL_SERVICES, SEED_000_TLS), sets());
    RenderedChart edge = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_000_TLS), sets("externalRedis.existingSecret", REDIS_SECRET));

    for (RenderedChart chart : List.of(central, edge)) {
      Map<String, Object> caCerts = chart.named("ConfigMap", chart.release + "-telemetry-pipeline-ca-certs");
      assertEquals("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----", data(caCerts, "redis-ca.crt").strip());
      assertEquals(null, data(caCerts, "db-ca.crt"), "seed 000 gives no database CA");
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        String where = chart.release + "/" + name(workload);
        String path = descriptorOf(chart, workload).getJsonObject("transport").getJsonObject("redis")
            .getJsonObject("tls").getString("caCert");
        assertEquals("/etc/telemetry/tls/redis-ca.crt", path, where);
        assertEquals(Map.of("configMap", name(caCerts), "key", "redis-ca.crt"), mountedFile(workload, path), where);
        assertNotNull(at(podTemplate(workload), "metadata.annotations.checksum/ca"), where + " rolls on a new CA");
      }
    }
  }

  @Test
  void externalDatabaseCaCertificateMayBeInlineToo(@TempDir Path tmp) throws IOException {
    String db = """
        postgresql:
          enabled: false
        externalDatabase:
          host: db.example.com
          username: telemetry_user
          sslMode: verify-full
          caCert: |
        """ + CA_PEM.indent(4);
    RenderedChart chart = renderWith("telemetry-central", "values-central-cluster.yaml", tmp, List.of(db),
        sets("externalRedis.existingSecret", REDIS_SECRET));

    Map<String, Object> caCerts = chart.named("ConfigMap", "telemetry-central-telemetry-pipeline-ca-certs");
    assertEquals(CA_PEM.strip(), data(caCerts, "db-ca.crt").strip());
    for (Map<String, Object> workload : chart.pipelineWorkloads()) {
      String path = descriptorOf(chart, workload).getJsonObject("store").getString("sslRootCert");
      assertEquals("/etc/telemetry/tls/db-ca.crt", path, name(workload));
      assertEquals(Map.of("configMap", name(caCerts), "key", "db-ca.crt"), mountedFile(workload, path), name(workload));
    }
  }

  @Test
  void caCertificateFromAnExistingSecret() {
    RenderedChart chart = allFeatures();

    Map<String, Object> collector = chart.workload("collector");
    JsonObject descriptor = descriptorOf(chart, collector);
    assertEquals(Map.of("secret", "redis-ca", "key", "ca.crt"), mountedFile(collector,
        descriptor.getJsonObject("transport").getJsonObject("redis").getJsonObject("tls").getString("caCert")));
    assertEquals(Map.of("secret", "db-ca", "key", "ca.crt"), mountedFile(collector,
        descriptor.getJsonObject("store").getString("sslRootCert")));
    assertEquals(Map.of("secret", "redis-ca", "key", "ca.crt"), mountedFile(chart.workload("streamer"),
        descriptorOf(chart, chart.workload("streamer")).getJsonObject("transport").getJsonObject("redis")
            .getJsonObject("tls").getString("caCert")));
    assertTrue(chart.ofKind("ConfigMap").stream().noneMatch(c -> name(c).endsWith("-ca-certs")), "nothing inline");
  }

  @Test
  void aChangedInlineCaRollsThePodsThatMountIt(@TempDir Path tmp) throws IOException {
    RenderedChart one = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(SEED_000_TLS),
        sets("externalRedis.existingSecret", REDIS_SECRET));
    RenderedChart other = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_000_TLS.replace("...", "MIIDXTCCAkWgAwIBAgIJ")), sets("externalRedis.existingSecret", REDIS_SECRET));

    Object before = at(podTemplate(one.workload("streamer")), "metadata.annotations");
    Object after = at(podTemplate(other.workload("streamer")), "metadata.annotations");
    assertNotEquals(map(before).get("checksum/ca"), map(after).get("checksum/ca"));
    assertEquals(map(before).get("checksum/config"), map(after).get("checksum/config"), "the descriptor names a path only");
  }

  @Test
  void seed001CommandsInstallTheEdgeAndCentralReleases() {
    // Seed 001, "Scenario 3: Separate Kubernetes Clusters", flag for flag.
    RenderedChart edge = RenderedChart.render("telemetry-edge", "values-edge-cluster.yaml", sets(
        "externalRedis.enabled", "true",
        "externalRedis.host", "redis.shared-infra.company.com",
        "externalRedis.password", "your-redis-password",
        "externalRedis.tls.enabled", "true"));
    RenderedChart central = RenderedChart.render("telemetry-central", "values-central-cluster.yaml", sets(
        "externalRedis.enabled", "true",
        "externalRedis.host", "redis.shared-infra.company.com",
        "externalRedis.password", "your-redis-password",
        "postgresql.auth.password", "your-db-password"));

    for (RenderedChart chart : List.of(edge, central)) {
      assertEquals(b64("your-redis-password"), at(chart.named("Secret", chart.release + "-telemetry-pipeline-external-redis"),
          "data.password"), chart.release);
      for (Map<String, Object> workload : chart.pipelineWorkloads()) {
        JsonObject redis = descriptorOf(chart, workload).getJsonObject("transport").getJsonObject("redis");
        assertEquals("redis.shared-infra.company.com", redis.getString("host"), name(workload));
        assertEquals(chart == edge, redis.getJsonObject("tls").getBoolean("enabled"), name(workload));
        assertNotNull(envEntry(container(workload), "REDIS_PASSWORD_FILE"), name(workload));
      }
    }
    assertEquals(b64("your-db-password"), at(central.named("Secret", "telemetry-central-telemetry-pipeline-postgresql"),
        "data.password"));
  }

  @Test
  void seed001ExternalRedisBlockWithItsNestedExistingSecret(@TempDir Path tmp) throws IOException {
    // As written it names the password twice (inline and auth.existingSecret): refused, not guessed.
    Exception twice = assertThrows(Exception.class, () -> renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp,
        List.of(SEED_001_EXTERNAL_REDIS), sets()));
    assertTrue(twice.getMessage().contains("give the password once"), twice.getMessage());

    String secretOnly = SEED_001_EXTERNAL_REDIS.replace("  password: \"your-redis-password\"\n", "");
    RenderedChart edge = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(secretOnly), sets());

    Map<String, Object> streamer = edge.workload("streamer");
    Map<String, Object> secrets = projectedVolume(streamer, "secrets");
    assertEquals(List.of(Map.of("secret", Map.of("name", "redis-credentials",
        "items", List.of(Map.of("key", "password", "path", "redis-password"))))), at(secrets, "projected.sources"));
    assertTrue(edge.ofKind("Secret").isEmpty(), "the chart makes no Secret for an existing one");
    assertEquals("/etc/telemetry/tls/redis-ca.crt", descriptorOf(edge, streamer).getJsonObject("transport")
        .getJsonObject("redis").getJsonObject("tls").getString("caCert"));

    RenderedChart noAuth = renderWith("telemetry-edge", "values-edge-cluster.yaml", tmp, List.of(secretOnly),
        sets("externalRedis.auth.enabled", "false", "externalRedis.auth.existingSecret", ""));
    assertEquals(null, envEntry(container(noAuth.workload("streamer")), "REDIS_PASSWORD_FILE"), "auth off: no password");
  }
}
