package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Client mistakes on a gateway-only process: each a 4xx with the API's JSON error naming what was
 * wrong (never a 5xx, never the store's message), including what the router and Netty answer
 * before any route runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayErrorsIT {

  private Vertx vertx;
  private WebClient client;
  private int port;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    PipelineVerticle p = Pipelines.deploy(vertx, new JsonObject().put("roles", new JsonArray().add("gateway"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
    port = p.gatewayPort();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  /** The JSON error of {@code r}, asserting its status and content type. */
  private static String error(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("content-type").startsWith("application/json"), r.getHeader("content-type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(1, body.size(), body.encode());
    return body.getString("error");
  }

  private HttpResponse<Buffer> get(String uri) {
    return await(client.get(uri).send());
  }

  @Test
  void undecodablePercentEscapesInTheQueryAre400NamingTheParameter() {
    String e = error(get("/api/v1/gpus?hostname=%zz"), 400);
    assertTrue(e.contains("'hostname'") && e.contains("%zz"), e);
    assertTrue(error(get("/api/v1/gpus?hostname=abc%2"), 400).contains("'hostname'"));
    assertTrue(error(get("/api/v1/gpus/GPU-1/telemetry?metric=%C3%28"), 400).contains("UTF-8"));
    assertTrue(error(get("/ws/telemetry?gpu=%zz"), 400).contains("'gpu'"));
  }

  @Test
  void nulAndControlCharactersNeverReachTheStore() {
    assertTrue(error(get("/api/v1/gpus/%00"), 400).contains("U+0000"));
    assertTrue(error(get("/api/v1/gpus/GPU-1%00/telemetry"), 400).contains("path"));
    assertTrue(error(get("/api/v1/gpus?hostname=a%00b"), 400).contains("'hostname'"));
    assertTrue(error(get("/api/v1/gpus?hostname=a%1Bb"), 400).contains("U+001B"));
    // a plain, decodable value still works
    assertEquals(200, get("/api/v1/gpus?hostname=dgx%2D01").statusCode());
    assertEquals(404, get("/api/v1/gpus/MIG-GPU-1%2F1%2F0").statusCode());
  }

  @Test
  void routerAnswersAreJson() {
    assertTrue(error(get("/no/such/thing"), 404).contains("/no/such/thing"));
    assertTrue(error(await(client.request(HttpMethod.POST, "/api/v1/gpus").send()), 405).contains("POST"));
    assertTrue(error(await(client.request(HttpMethod.DELETE, "/health").send()), 405).contains("DELETE"));
    // the dashboard's catch-all answers GET only and is no resource for other methods
    assertTrue(error(await(client.request(HttpMethod.POST, "/no/such/thing").send()), 404).contains("/no/such/thing"));
    assertTrue(error(get("/ws/telemetry"), 400).contains("WebSocket"));
    assertTrue(error(get("/api/v1/gpus/GPU-%zz"), 400).contains("percent"));
  }

  @Test
  void requestLineAndHeadersTooLongAreJsonFromTheDecoder() {
    try (RawHttp raw = RawHttp.connect(port)) {
      String answer = raw.get("/api/v1/gpus?hostname=" + "h".repeat(5000), 5);
      assertEquals(414, RawHttp.status(answer), answer);
      assertTrue(answer.toLowerCase().contains("content-type: application/json"), answer);
      assertTrue(new JsonObject(RawHttp.body(answer)).getString("error").contains("too long"));
    }
    HttpResponse<Buffer> big = await(client.get("/api/v1/gpus").putHeader("X-Padding", "p".repeat(10_000)).send());
    assertTrue(error(big, 431).contains("headers"));
    // the gateway goes on answering
    assertEquals(200, get("/health").statusCode());
  }

  @Test
  void errorMessagesRepeatOnlyAShortPrefixOfTheInput() {
    String e = error(get("/api/v1/gpus/GPU-1/telemetry?start_time=" + "9".repeat(3000)), 400);
    assertTrue(e.length() < 3000, e);
    String notFound = error(get("/x" + "y".repeat(2000)), 404);
    assertFalse(notFound.contains("y".repeat(ApiException.ECHO_LIMIT + 1)), notFound);
  }
}
