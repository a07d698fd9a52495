package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's security and ops settings: defaults, environment variables, errors naming the key. */
class GatewaySettingsTest {

  @Test
  void securityIsOffByDefault() {
    GatewaySettings s = GatewaySettings.fromJson(new JsonObject());
    assertFalse(s.tls().enabled());
    assertFalse(s.auth().enabled());
    assertTrue(s.corsAllowedOrigins().isEmpty());
    assertEquals(10_000, s.websocketQueueSize());
    PipelineSettings p = PipelineSettings.fromJson(new JsonObject());
    assertTrue(p.ops().enabled());
    assertEquals(9090, p.ops().port());
  }

  @Test
  void environmentSwitchesTlsAuthAndOps(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\n");
    Path key = Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n");
    Path tokens = Files.writeString(dir.resolve("tokens"), "t1\n\nt2\n");
    PipelineSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of(
        "GATEWAY_TLS_ENABLED", "true", "GATEWAY_TLS_CERT", cert.toString(), "GATEWAY_TLS_KEY", key.toString(),
        "GATEWAY_AUTH_TOKEN_FILE", tokens.toString(), "OPS_PORT", "9191", "OPS_ENABLED", "false",
        "GATEWAY_WEBSOCKET_QUEUE_SIZE", "500"));
    assertTrue(s.gateway().tls().enabled());
    assertEquals(cert.toString(), s.gateway().tls().certPath());
    assertTrue(s.gateway().auth().enabled(), "a token file turns authentication on");
    assertEquals(List.of("t1", "t2"), s.gateway().auth().tokens());
    assertEquals(9191, s.ops().port());
    assertFalse(s.ops().enabled());
    assertEquals(500, s.gateway().websocketQueueSize());
    String dump = s.toJson().encode();
    assertFalse(dump.contains("t1") || dump.contains("t2"), "tokens leak into the effective config: " + dump);
    assertEquals("https", s.gateway().scheme());
  }

  @Test
  void badSecuritySettingsNameTheKey(@TempDir Path dir) {
    assertKey("gateway.tls.certPath", new JsonObject().put("tls", new JsonObject().put("enabled", true)));
    assertKey("gateway.tls.keyPath", new JsonObject().put("tls", new JsonObject().put("enabled", true)
        .put("certPath", dir.toString())));
    assertKey("gateway.auth.enabled", new JsonObject().put("auth", new JsonObject().put("enabled", true)));
    assertKey("gateway.auth.tokenFile", new JsonObject().put("auth", new JsonObject()
        .put("tokenFile", dir.resolve("absent").toString())));
    assertKey("gateway.auth.token", new JsonObject().put("auth", new JsonObject().put("token", "x")));
    assertKey("gateway.websocket.queueSize", new JsonObject().put("websocket", new JsonObject().put("queueSize", 0)));
    ConfigException ops = assertThrows(ConfigException.class,
        () -> PipelineSettings.fromJson(new JsonObject().put("ops", new JsonObject().put("port", -1))));
    assertTrue(ops.getMessage().contains("'ops.port'"), ops.getMessage());
  }

  @Test
  void inlineTokensCanBeSwitchedOffExplicitly() {
    GatewaySettings s = GatewaySettings.fromJson(new JsonObject().put("auth", new JsonObject()
        .put("enabled", false).put("tokens", new JsonArray().add("t"))));
    assertFalse(s.auth().enabled());
  }

  private static void assertKey(String key, JsonObject gateway) {
    ConfigException e = assertThrows(ConfigException.class, () -> GatewaySettings.fromJson(gateway));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }

  @Test
  void connectionLimitsHaveDefaultsAndRoundTrip() {
    GatewaySettings s = GatewaySettings.fromJson(new JsonObject());
    assertEquals(java.time.Duration.ofSeconds(60), s.idleTimeout());
    assertEquals(java.time.Duration.ofSeconds(10), s.headerTimeout());
    assertEquals(0, s.maxConnections());
    int derived = s.effectiveMaxConnections();
    assertTrue(derived >= 64 && derived <= GatewaySettings.MAX_CONNECTIONS_CEILING, "derived cap " + derived);
    GatewaySettings set = GatewaySettings.fromJson(new JsonObject().put("idleTimeout", "300ms")
        .put("headerTimeout", "2s").put("maxConnections", 500));
    assertEquals(500, set.effectiveMaxConnections());
    assertEquals(set, GatewaySettings.fromJson(set.toJson().put("auth", new JsonObject().put("enabled", false))));
    ConfigException e = assertThrows(ConfigException.class,
        () -> GatewaySettings.fromJson(new JsonObject().put("headerTimeout", "0s")));
    assertTrue(e.getMessage().contains("gateway.headerTimeout"), e.getMessage());
  }

  @Test
  void staleAfterDefaultsToFiveMinutesRoundTripsAndMustBePositive() {
    assertEquals(java.time.Duration.ofMinutes(5), GatewaySettings.fromJson(new JsonObject()).staleAfter());
    GatewaySettings set = GatewaySettings.fromJson(new JsonObject().put("staleAfter", "90s"));
    assertEquals(java.time.Duration.ofSeconds(90), set.staleAfter());
    assertEquals(set, GatewaySettings.fromJson(set.toJson().put("auth", new JsonObject().put("enabled", false))));
    ConfigException e = assertThrows(ConfigException.class,
        () -> GatewaySettings.fromJson(new JsonObject().put("staleAfter", "0s")));
    assertTrue(e.getMessage().contains("gateway.staleAfter"), e.getMessage());
  }
}
