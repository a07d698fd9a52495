package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's security switches, each on a gateway-only process: TLS, bearer tokens, CORS. */
class GatewaySecurityIT {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private PipelineVerticle gateway(JsonObject gatewaySettings) {
    return Pipelines.deploy(vertx, new JsonObject()
        .put("roles", new JsonArray().add("gateway"))
        .put("gateway", gatewaySettings.copy().put("port", 0).put("host", "127.0.0.1")));
  }

  @Test
  void tlsServesHttpsWithThePemCertificateAndKey() {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    try {
      PipelineVerticle p = gateway(new JsonObject().put("tls", new JsonObject().put("enabled", true)
          .put("certPath", cert.certificatePath()).put("keyPath", cert.privateKeyPath())));
      WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true)
          .setTrustOptions(cert.trustOptions()).setVerifyHost(false));
      HttpResponse<Buffer> r = await(https.get(p.gatewayPort(), "127.0.0.1", "/api/v1/gpus").send());
      assertEquals(200, r.statusCode());
      assertEquals(0, r.bodyAsJsonObject().getInteger("count"));
      // plain HTTP on the TLS port gets no answer
      WebClient plain = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2000).setIdleTimeout(3));
      assertThrows(AssertionError.class, () -> await(plain.get(p.gatewayPort(), "127.0.0.1", "/health").send(), 10));
    } finally {
      cert.delete();
    }
  }

  @Test
  void bearerTokensProtectTheApiAndTheFeedButNotProbesScrapesOrDocs(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# rotated monthly\nfirst-token\nsecond-token\n");
    PipelineVerticle p = gateway(new JsonObject().put("auth", new JsonObject().put("tokenFile", tokens.toString())));
    int port = p.gatewayPort();
    WebClient c = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setFollowRedirects(false));

    HttpResponse<Buffer> none = await(c.get("/api/v1/gpus").send());
    assertEquals(401, none.statusCode());
    assertTrue(none.getHeader("WWW-Authenticate").startsWith("Bearer"));
    assertTrue(none.bodyAsJsonObject().getString("error").contains("missing"));
    assertEquals(401, await(c.get("/api/v1/gpus").bearerTokenAuthentication("wrong").send()).statusCode());
    assertEquals(200, await(c.get("/api/v1/gpus").bearerTokenAuthentication("second-token").send()).statusCode());
    assertEquals(200, await(c.get("/api/v1/hosts").bearerTokenAuthentication("first-token").send()).statusCode());
    // a token in the URL is accepted on the WebSocket upgrade only (browsers cannot set its headers)
    assertEquals(401, await(c.get("/api/v1/gpus?access_token=first-token").send()).statusCode());
    for (String open : List.of("/health", "/ready", "/metrics", "/openapi.json", "/", "/docs/")) {
      assertEquals(200, await(c.get(open).send()).statusCode(), open);
    }

    var ws = vertx.createWebSocketClient(new WebSocketClientOptions());
    WebSocketConnectOptions feed = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/telemetry");
    assertThrows(AssertionError.class, () -> await(ws.connect(feed)));
    await(ws.connect(new WebSocketConnectOptions(feed).setURI("/ws/telemetry?access_token=first-token"))).close();
    await(ws.connect(new WebSocketConnectOptions(feed).addHeader("Authorization", "Bearer second-token"))).close();
  }

  @Test
  void corsIsOffByDefault() {
    PipelineVerticle p = gateway(new JsonObject());
    HttpResponse<Buffer> r = await(WebClient.create(vertx).get(p.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://ops.example").send());
    assertEquals(200, r.statusCode());
    assertNull(r.getHeader("Access-Control-Allow-Origin"));
  }

  @Test
  void corsAnswersTheConfiguredOriginsAndMethods() {
    PipelineVerticle p = gateway(new JsonObject().put("cors", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://ops.example"))
        .put("allowedMethods", new JsonArray().add("GET").add("OPTIONS"))));
    WebClient c = WebClient.create(vertx);
    HttpResponse<Buffer> preflight = await(c.request(HttpMethod.OPTIONS, p.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://ops.example").putHeader("Access-Control-Request-Method", "GET")
        .putHeader("Access-Control-Request-Headers", "Authorization").send());
    assertTrue(preflight.statusCode() / 100 == 2, "preflight " + preflight.statusCode());
    assertEquals("https://ops.example", preflight.getHeader("Access-Control-Allow-Origin"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Methods").contains("GET"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Headers").toLowerCase().contains("authorization"));
    HttpResponse<Buffer> get = await(c.get(p.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://ops.example").send());
    assertEquals("https://ops.example", get.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> other = await(c.get(p.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://evil.example").send());
    assertTrue(other.getHeader("Access-Control-Allow-Origin") == null || other.statusCode() == 403,
        "a foreign origin is not allowed");
  }

  /** The status a WebSocket upgrade to the feed gets with {@code origin} (null: no Origin header); 101 when it opens. */
  private int upgrade(int port, String origin) {
    var ws = vertx.createWebSocketClient(new WebSocketClientOptions());
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/telemetry");
    if (origin != null) {
      o.addHeader("Origin", origin);
    }
    try {
      await(await(ws.connect(o)).close());
      return 101;
    } catch (AssertionError e) {
      if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
        return rejected.getStatus();
      }
      throw e;
    } finally {
      await(ws.close());
    }
  }

  @Test
  void withCorsOnTheGatewaysOwnOriginStillWorksForTheApiAndTheFeed() {
    PipelineVerticle p = gateway(new JsonObject().put("cors", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://ops.example"))));
    int port = p.gatewayPort();
    String own = "http://127.0.0.1:" + port;
    HttpResponse<Buffer> api = await(WebClient.create(vertx).get(port, "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", own).send());
    assertEquals(200, api.statusCode(), api.bodyAsString());
    assertEquals(101, upgrade(port, own), "the dashboard's own WebSocket");
    assertEquals(101, upgrade(port, "https://ops.example"), "an allowed origin");
    assertEquals(101, upgrade(port, null), "a client that is no browser");
    assertEquals(403, upgrade(port, "https://evil.example"));
    HttpResponse<Buffer> refused = await(WebClient.create(vertx).get(port, "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://evil.example").send());
    assertEquals(403, refused.statusCode());
    assertTrue(refused.bodyAsJsonObject().getString("error").contains("https://evil.example"), refused.bodyAsString());
  }

  @Test
  void corsEnabledWithoutOriginsAllowsAnyAndDisabledIgnoresTheList() {
    PipelineVerticle any = gateway(new JsonObject().put("cors", new JsonObject().put("enabled", true)));
    HttpResponse<Buffer> get = await(WebClient.create(vertx).get(any.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://anywhere.example").send());
    assertEquals(200, get.statusCode(), get.bodyAsString());
    assertEquals("*", get.getHeader("Access-Control-Allow-Origin"));
    PipelineVerticle off = gateway(new JsonObject().put("cors", new JsonObject().put("enabled", false)
        .put("allowedOrigins", new JsonArray().add("https://ops.example"))));
    HttpResponse<Buffer> refused = await(WebClient.create(vertx).get(off.gatewayPort(), "127.0.0.1", "/api/v1/gpus")
        .putHeader("Origin", "https://ops.example").send());
    assertEquals(null, refused.getHeader("Access-Control-Allow-Origin"), "CORS off: no CORS headers");
  }

  @Test
  void websocketDisabledLeavesTheFeedUnmounted() {
    PipelineVerticle p = gateway(new JsonObject().put("websocket", new JsonObject().put("enabled", false)));
    int port = p.gatewayPort();
    assertEquals(404, upgrade(port, null));
    assertEquals(404, await(WebClient.create(vertx).get(port, "127.0.0.1", "/ws/telemetry").send()).statusCode());
    assertEquals(200, await(WebClient.create(vertx).get(port, "127.0.0.1", "/api/v1/gpus").send()).statusCode());
  }

  @Test
  void withCorsOffTheFeedRefusesForeignOrigins() {
    PipelineVerticle p = gateway(new JsonObject());
    int port = p.gatewayPort();
    assertEquals(403, upgrade(port, "https://evil.example"));
    assertEquals(403, upgrade(port, "null"));
    assertEquals(101, upgrade(port, "http://127.0.0.1:" + port));
    assertEquals(101, upgrade(port, null));
    // a refused upgrade's answer is the API's JSON error
    HttpResponse<Buffer> r = await(WebClient.create(vertx).get(port, "127.0.0.1", "/ws/telemetry")
        .putHeader("Origin", "https://evil.example").putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade")
        .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").send());
    assertEquals(403, r.statusCode());
    assertTrue(r.bodyAsJsonObject().getString("error").contains("origin"), r.bodyAsString());
  }
}
