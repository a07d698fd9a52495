package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.junit.jupiter.api.Test;

/** The jar's own default serves the API without a token on every interface: its start says so, loudly. */
class OpenApiWarningTest {

  private static Optional<String> warning(JsonObject gateway) {
    return GatewayVerticle.openApiWarning(GatewaySettings.fromJson(gateway), 8080);
  }

  @Test
  void theDefaultGatewayWarnsThatItIsOpenOnAllInterfaces() {
    String line = warning(new JsonObject()).orElseThrow();
    assertTrue(line.startsWith("THE API IS OPEN"), line);
    assertTrue(line.contains("ALL interfaces"), line);
    assertTrue(line.contains("GATEWAY_AUTH_TOKEN_FILE") && line.contains("GATEWAY_HOST"), "says what to set: " + line);
  }

  @Test
  void aSpecificAddressWithoutAuthenticationIsOpenToo() {
    assertTrue(warning(new JsonObject().put("host", "10.0.0.5")).orElseThrow().contains("on 10.0.0.5"));
  }

  @Test
  void loopbackOrAuthenticationIsNotOpen() {
    assertEquals(Optional.empty(), warning(new JsonObject().put("host", "127.0.0.1")));
    assertEquals(Optional.empty(), warning(new JsonObject().put("host", "localhost")));
    assertEquals(Optional.empty(), warning(new JsonObject().put("host", "::1")));
    assertEquals(Optional.empty(), warning(new JsonObject()
        .put("auth", new JsonObject().put("tokens", new JsonArray().add("t0k3n")))));
  }
}
