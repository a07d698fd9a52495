package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.gputelemetry.pipeline.helm.RenderedChart.data;
import static org.gputelemetry.pipeline.helm.RenderedChart.envEntry;
import static org.gputelemetry.pipeline.helm.RenderedChart.list;
import static org.gputelemetry.pipeline.helm.RenderedChart.map;
import static org.gputelemetry.pipeline.helm.RenderedChart.podSpec;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the chart ships to a cluster is authenticated by default: the gateway requires a bearer
 * token from a Secret (generated once, or an existing one), can serve HTTPS from a TLS Secret,
 * and the production values files turn the NetworkPolicies on.
 */
class HelmGatewaySecurityTest {

  private static final String DB_PASSWORD = "db-secret-for-test";

  @ParameterizedTest
  @EnumSource(value = Mode.class, names = {"DEFAULT", "SAME_CLUSTER", "CENTRAL"})
  void gatewayRequiresATokenByDefault(Mode mode, @TempDir Path tmp) throws Exception {
    RenderedChart chart = mode.render();
    Map<String, Object> gateway = chart.workload("api-gateway");
    Map<String, Object> secret = chart.ofKind("Secret").stream()
        .filter(s -> RenderedChart.name(s).endsWith("-api-gateway-auth")).findFirst().orElseThrow();
    String secretName = RenderedChart.name(secret);
    String token = new String(Base64.getDecoder().decode(data(secret, "tokens")), StandardCharsets.UTF_8);
    assertEquals(RenderedChart.GATEWAY_TOKEN, token);
    assertEquals("keep", map(at(secret, "metadata.annotations")).get("helm.sh/resource-policy"),
        "clients hold the token: the Secret outlives upgrades and uninstalls");

    Map<String, Object> tokenFile = envEntry(container(gateway), "GATEWAY_AUTH_TOKEN_FILE");
    assertNotNull(tokenFile, "the gateway reads its tokens from the mounted Secret");
    assertTrue(projectedSecretNames(gateway).contains(secretName), "the Secret is mounted: " + projectedSecretNames(gateway));

    PipelineSettings settings = PipelineSettings.fromDescriptor(HelmReleases.descriptorOf(chart, gateway),
        HelmReleases.podEnvironment(container(gateway), tmp));
    assertTrue(settings.gateway().auth().enabled(), mode + ": authentication on");
    assertEquals(List.of("from-file:GATEWAY_AUTH_TOKEN_FILE"), settings.gateway().auth().tokens());
    for (String document : chart.nonSecretDocuments()) {
      assertFalse(document.contains(token), "the token appears only in its Secret");
    }
  }

  @Test
  void existingSecretIsMountedInsteadOfAChartMadeOne() {
    RenderedChart chart = RenderedChart.render("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD,
        "apiGateway.auth.existingSecret", "gateway-tokens", "apiGateway.auth.existingSecretKey", "list"));
    assertTrue(chart.ofKind("Secret").stream().noneMatch(s -> RenderedChart.name(s).endsWith("-api-gateway-auth")));
    Map<String, Object> gateway = chart.workload("api-gateway");
    Map<String, Object> source = projectedSecret(gateway, "gateway-tokens");
    assertEquals("list", map(list(source.get("items")).get(0)).get("key"));
  }

  @Test
  void authenticationCanBeTurnedOffExplicitly(@TempDir Path tmp) throws Exception {
    RenderedChart chart = RenderedChart.render("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD,
        "apiGateway.auth.enabled", "false"));
    Map<String, Object> gateway = chart.workload("api-gateway");
    assertNull(envEntry(container(gateway), "GATEWAY_AUTH_TOKEN_FILE"));
    assertTrue(chart.ofKind("Secret").stream().noneMatch(s -> RenderedChart.name(s).endsWith("-api-gateway-auth")));
    PipelineSettings settings = PipelineSettings.fromDescriptor(HelmReleases.descriptorOf(chart, gateway),
        HelmReleases.podEnvironment(container(gateway), tmp));
    assertFalse(settings.gateway().auth().enabled());
  }

  @Test
  void tlsServesHttpsFromTheCertificateSecret(@TempDir Path tmp) throws Exception {
    RenderedChart chart = RenderedChart.render("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD,
        "apiGateway.tls.enabled", "true", "apiGateway.tls.secretName", "telemetry-tls",
        "monitoring.serviceMonitor.enabled", "true"));
    Map<String, Object> gateway = chart.workload("api-gateway");
    JsonObject tls = HelmReleases.descriptorOf(chart, gateway).getJsonObject("gateway").getJsonObject("tls");
    assertEquals(true, tls.getBoolean("enabled"));
    assertEquals("/etc/telemetry/gateway-tls/tls.crt", tls.getString("certPath"));
    assertEquals("/etc/telemetry/gateway-tls/tls.key", tls.getString("keyPath"));
    Map<String, Object> volume = list(podSpec(gateway).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> "gateway-tls".equals(v.get("name"))).findFirst().orElseThrow();
    assertEquals("telemetry-tls", at(volume, "secret.secretName"));
    assertTrue(list(container(gateway).get("volumeMounts")).stream().map(RenderedChart::map)
        .anyMatch(m -> "/etc/telemetry/gateway-tls".equals(m.get("mountPath"))));
    assertEquals("HTTPS", at(container(gateway), "readinessProbe.httpGet.scheme"));
    assertEquals("HTTPS", at(container(gateway), "livenessProbe.httpGet.scheme"));

    // helm-java's template leaves hooks (the helm test pod) out of its output: read the template
    String testPod = Files.readString(RenderedChart.CHART.resolve("templates/tests/test-connection.yaml"));
    assertTrue(testPod.contains("\"{{ include \"telemetry-pipeline.gatewayScheme\" . }}://"), "helm test follows the scheme");
    Map<String, Object> monitor = chart.ofKind("ServiceMonitor").get(0);
    Map<String, Object> httpEndpoint = list(at(monitor, "spec.endpoints")).stream().map(RenderedChart::map)
        .filter(e -> "http".equals(e.get("port"))).findFirst().orElseThrow();
    assertEquals("https", httpEndpoint.get("scheme"));

    // the descriptor must still load where the certificate files exist
    Path certs = Files.createDirectories(tmp.resolve("tls"));
    Files.writeString(certs.resolve("tls.crt"), "cert");
    Files.writeString(certs.resolve("tls.key"), "key");
    JsonObject descriptor = HelmReleases.descriptorOf(chart, gateway);
    descriptor.getJsonObject("gateway").getJsonObject("tls").put("certPath", certs.resolve("tls.crt").toString())
        .put("keyPath", certs.resolve("tls.key").toString());
    assertTrue(PipelineSettings.fromDescriptor(descriptor, HelmReleases.podEnvironment(container(gateway), tmp))
        .gateway().tls().enabled());
  }

  @Test
  void tlsWithoutASecretIsRefusedNamingTheKey() {
    Exception e = assertThrows(Exception.class, () -> RenderedChart.render("telemetry-pipeline", null,
        sets("postgresql.auth.password", DB_PASSWORD, "apiGateway.tls.enabled", "true")));
    assertTrue(e.getMessage().contains("apiGateway.tls.secretName"), e.getMessage());
  }

  @Test
  void plainHttpByDefault() {
    Map<String, Object> gateway = Mode.DEFAULT.render().workload("api-gateway");
    assertEquals("HTTP", at(container(gateway), "readinessProbe.httpGet.scheme"));
    assertNull(HelmReleases.descriptorOf(Mode.DEFAULT.render(), gateway).getJsonObject("gateway").getJsonObject("tls"));
  }

  @ParameterizedTest
  @EnumSource(value = Mode.class, names = {"SAME_CLUSTER", "EDGE", "CENTRAL"})
  void productionValuesFilesTurnNetworkPoliciesOn(Mode mode) {
    RenderedChart chart = mode.render();
    List<String> policies = chart.ofKind("NetworkPolicy").stream().map(RenderedChart::name).toList();
    for (String workload : mode.workloads) {
      assertTrue(policies.stream().anyMatch(p -> p.endsWith("-" + workload)), mode + " has a policy for " + workload + ": " + policies);
    }
  }

  private static List<String> projectedSecretNames(Map<String, Object> workload) {
    return projectedSources(workload).stream().map(s -> at(s, "secret.name")).filter(n -> n != null)
        .map(String::valueOf).toList();
  }

  private static Map<String, Object> projectedSecret(Map<String, Object> workload, String name) {
    return projectedSources(workload).stream().filter(s -> name.equals(at(s, "secret.name")))
        .map(s -> map(s.get("secret"))).findFirst().orElseThrow(() -> new AssertionError("no projected secret " + name));
  }

  private static List<Map<String, Object>> projectedSources(Map<String, Object> workload) {
    return list(podSpec(workload).get("volumes")).stream().map(RenderedChart::map)
        .filter(v -> "secrets".equals(v.get("name")))
        .flatMap(v -> list(at(v, "projected.sources")).stream().map(RenderedChart::map)).toList();
  }
}
