package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * Settings of the gateway role ({@code gateway} block). Immutable.
 *
 * @param host interface the HTTP server binds
 * @param port HTTP port; 0 picks a free one (tests)
 * @param corsAllowedOrigins origins allowed by CORS; empty turns CORS off
 * @param corsAllowedMethods methods allowed by CORS
 */
public record GatewaySettings(String host, int port, List<String> corsAllowedOrigins, List<String> corsAllowedMethods) {

  private static final Set<String> KEYS = Set.of("host", "port", "cors");

  public static GatewaySettings fromJson(JsonObject json) {
    Json j = Json.of(json, "gateway").allowOnly(KEYS);
    Json cors = j.child("cors").allowOnly(Set.of("allowedOrigins", "allowedMethods"));
    return new GatewaySettings(
        j.string("host", "0.0.0.0"),
        j.intValue("port", 8080, 0, 65_535),
        cors.strings("allowedOrigins", List.of()),
        cors.strings("allowedMethods", List.of("GET", "OPTIONS")));
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port)
        .put("cors", new JsonObject().put("allowedOrigins", corsAllowedOrigins).put("allowedMethods", corsAllowedMethods));
  }
}
