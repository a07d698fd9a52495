package org.gputelemetry.pipeline.hostile;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * REST fuzzing of every documented route and parameter, on both stores: every parameter of every
 * operation in the gateway's own OpenAPI document gets each hostile value (undecodable or
 * overlong percent-encoding, NUL and other control bytes, lone surrogates, huge numbers, SQL and
 * path tricks, enormous values), plus wrong methods, unknown routes, over-long URIs and headers.
 * Whatever comes in, the answer is never a 5xx, every error is a JSON object with an {@code error},
 * a 400 names the parameter it refuses, nothing echoes a database message, and the gateway still
 * answers afterwards. The figures (requests tried, 5xx seen) are printed for the notes.
 */
class HostileRestIT {

  /** Raw (already percent-encoded as sent on the wire) hostile parameter values. */
  static final List<String> HOSTILE_VALUES = List.of(
      "%zz", "%", "%0", "%00", "a%00b", "%01%02%1b", "%C0%AF", "%FF%FE", "%ED%A0%80", "%F4%90%80%80",
      "", "%20", "+", "null", "%5B%5D", "%7B%7D", "-1", "0", "2147483648", "99999999999999999999999",
      "-9223372036854775809", "1e309", "NaN", "Infinity", "0x10", "1d",
      "%27%20OR%201%3D1--", "%27%3B%20DROP%20TABLE%20samples%3B--", "..%2F..%2Fetc%2Fpasswd",
      "%E2%80%AE%F0%9F%94%A5", "2026-13-45T99:99:99Z", "-290000-01-01T00:00:00Z", "+290000-01-01T00:00:00Z",
      "now-99999999999999d", "now%2B1h", "a".repeat(3000));

  private static final List<String> DATABASE_WORDS = List.of("SQLSTATE", "syntax error", "invalid byte sequence",
      "relation ", "pg_", "PgException", "Exception", "at org.", "store unavailable");

  private Vertx vertx;
  private String database;

  @AfterEach
  void tearDown() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (database != null) {
      EmbeddedPostgresServer.shared().dropDatabase(database);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "postgres"})
  void noHostileRequestGetsA5xxOrANonJsonError(String storeType) throws Exception {
    JsonObject descriptor = Pipelines.onePassAllInOne(null);
    if (storeType.equals("postgres")) {
      EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
      database = server.createDatabase("hostile_rest");
      descriptor = Pipelines.onPostgres(descriptor, server, database);
    }
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, descriptor);
    await(pipeline.streamer().finished(), 120);
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()).setMaxInitialLineLength(1 << 20).setMaxHeaderSize(1 << 20));

    JsonObject document = send(http, HttpMethod.GET, "/openapi.json", Map.of()).json();
    String gpu = send(http, HttpMethod.GET, "/api/v1/gpus", Map.of()).json().getJsonArray("gpus").getJsonObject(0)
        .getString("uuid");
    Map<String, String> valid = Map.of("uuid", URLEncoder.encode(gpu, StandardCharsets.UTF_8),
        "gpu", URLEncoder.encode(gpu, StandardCharsets.UTF_8), "metric", "DCGM_FI_DEV_GPU_UTIL", "limit", "5");

    List<String> problems = new ArrayList<>();
    int requests = 0;
    int fiveXx = 0;
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/api/")) {
        continue; // documents, dashboard, ops and the WebSocket take no parameters worth fuzzing here
      }
      JsonObject operation = paths.getJsonObject(path).getJsonObject("get");
      if (operation == null) {
        continue;
      }
      List<JsonObject> parameters = new ArrayList<>();
      JsonArray declared = operation.getJsonArray("parameters", new JsonArray());
      for (int i = 0; i < declared.size(); i++) {
        parameters.add(declared.getJsonObject(i));
      }
      for (JsonObject parameter : parameters) {
        String name = parameter.getString("name");
        boolean inPath = "path".equals(parameter.getString("in"));
        for (String value : HOSTILE_VALUES) {
          String uri = uri(path, parameters, valid, name, value);
          Answer answer = send(http, HttpMethod.GET, uri, Map.of());
          requests++;
          fiveXx += answer.status >= 500 ? 1 : 0;
          check(problems, "GET " + uri, answer, inPath ? null : name);
        }
      }
      // the same parameter twice, and one nobody declared
      for (String extra : List.of("&limit=1&limit=2", "&surprise=%00", "&%zz=1")) {
        String uri = uri(path, parameters, valid, null, null) + extra;
        Answer answer = send(http, HttpMethod.GET, uri, Map.of());
        requests++;
        fiveXx += answer.status >= 500 ? 1 : 0;
        check(problems, "GET " + uri, answer, null);
      }
      // methods nobody serves
      for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
        String uri = uri(path, parameters, valid, null, null);
        Answer answer = send(http, method, uri, Map.of());
        requests++;
        fiveXx += answer.status >= 500 ? 1 : 0;
        check(problems, method + " " + uri, answer, null);
        if (answer.status != 405 && answer.status != 404) {
          problems.add(method + " " + uri + ": expected 405, got " + answer.status);
        }
      }
    }
    // the router's and the HTTP decoder's own refusals are JSON too
    Map<String, Integer> edges = new LinkedHashMap<>();
    edges.put("/no/such/route", 404);
    edges.put("/api/v1/no-such-thing", 404);
    edges.put("/api/v1/gpus?hostname=" + "x".repeat(70_000), 414);
    edges.put("/ws/telemetry", 400);
    for (Map.Entry<String, Integer> edge : edges.entrySet()) {
      Answer answer = send(http, HttpMethod.GET, edge.getKey(), Map.of());
      requests++;
      fiveXx += answer.status >= 500 ? 1 : 0;
      check(problems, "GET " + abbreviate(edge.getKey()), answer, null);
      if (answer.status != edge.getValue() && !(edge.getValue() == 400 && answer.status == 426)) {
        problems.add("GET " + abbreviate(edge.getKey()) + ": expected " + edge.getValue() + ", got " + answer.status);
      }
    }
    Answer hugeHeader = send(http, HttpMethod.GET, "/api/v1/gpus", Map.of("X-Huge", "h".repeat(70_000)));
    requests++;
    fiveXx += hugeHeader.status >= 500 ? 1 : 0;
    check(problems, "GET /api/v1/gpus with a 70 kB header", hugeHeader, null);
    if (hugeHeader.status != 431) {
      problems.add("a 70 kB header: expected 431, got " + hugeHeader.status);
    }

    System.out.printf("hostile REST (%s store): %d requests tried, %d answered 5xx, %d problems%n",
        storeType, requests, fiveXx, problems.size());
    assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems.subList(0,
        Math.min(40, problems.size()))));
    assertEquals(200, send(http, HttpMethod.GET, "/health", Map.of()).status, "the gateway still answers");
    assertEquals(200, send(http, HttpMethod.GET, "/api/v1/gpus", Map.of()).status, "and still serves the API");
  }

  private static void check(List<String> problems, String request, Answer answer, String parameter) {
    String where = abbreviate(request) + " -> " + answer.status + " " + abbreviate(answer.body);
    if (answer.status >= 500) {
      problems.add(where + ": a 5xx for client input");
      return;
    }
    if (answer.status < 400) {
      return;
    }
    JsonObject error;
    try {
      error = new JsonObject(answer.body);
    } catch (RuntimeException e) {
      problems.add(where + ": the error body is not a JSON object");
      return;
    }
    if (!error.containsKey("error")) {
      problems.add(where + ": the JSON error has no \"error\"");
    }
    String type = answer.contentType == null ? "" : answer.contentType;
    if (!type.startsWith("application/json")) {
      problems.add(where + ": Content-Type " + type);
    }
    for (String word : DATABASE_WORDS) {
      if (answer.body.contains(word)) {
        problems.add(where + ": echoes an internal message (" + word + ")");
      }
    }
    if (answer.status == 400 && parameter != null && !answer.body.contains(parameter)) {
      problems.add(where + ": a 400 that does not name the parameter " + parameter);
    }
  }

  /** The operation's URI with every parameter valid except {@code hostile}, which gets {@code value}. */
  private static String uri(String path, List<JsonObject> parameters, Map<String, String> valid, String hostile,
                            String value) {
    String uri = path;
    StringBuilder query = new StringBuilder();
    for (JsonObject p : parameters) {
      String name = p.getString("name");
      String v = name.equals(hostile) ? value : valid.get(name);
      if ("path".equals(p.getString("in"))) {
        uri = uri.replace("{" + name + "}", v == null ? "x" : v);
      } else if (v != null) {
        query.append(query.length() == 0 ? "?" : "&").append(name).append('=').append(v);
      }
    }
    return uri + (query.length() == 0 ? "?" : query.toString());
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 160 ? s : s.substring(0, 160) + "...(" + s.length() + " chars)";
  }

  private record Answer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private static Answer send(HttpClient http, HttpMethod method, String rawUri, Map<String, String> headers)
      throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(rawUri);
    headers.forEach(options::putHeader);
    return http.request(options)
        .compose(request -> request.send().compose(response -> response.body()
            .map((Buffer body) -> new Answer(response.statusCode(), response.getHeader("Content-Type"), body.toString()))))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
