package org.gputelemetry.pipeline.gateway;


import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document against the router that serves it: the same routes both ways, and real
 * responses (successes and errors) valid against the documented schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentIT {

  /** Router entries that are not API routes: request checks, static assets and the failure handler. */
  private static final Set<String> NOT_IN_DOCUMENT = Set.of(GatewayVerticle.CHECKS, GatewayVerticle.ORIGIN_CHECK,
      "assets /docs/*", "assets /*", "failures");

  private Vertx vertx;
  private WebClient client;
  private PipelineVerticle pipeline;
  private JsonObject document;
  private String gpu;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    pipeline = Pipelines.deploy(vertx, Pipelines.onePassAllInOne(null));
    await(pipeline.streamer().finished(), 120);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()).setFollowRedirects(false));
    document = get("/openapi.json").bodyAsJsonObject();
    gpu = get("/api/v1/gpus").bodyAsJsonObject().getJsonArray("gpus").getJsonObject(0).getString("uuid");
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private HttpResponse<Buffer> get(String uri) {
    return await(client.get(uri).send());
  }

  private Set<String> documentedOperations() {
    Set<String> ops = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        ops.add(method.toUpperCase() + " " + path);
      }
    }
    return ops;
  }

  @Test
  void everyRouteTheRouterServesIsDocumentedAndViceVersa() {
    Set<String> served = new TreeSet<>();
    List<String> unnamed = new ArrayList<>();
    for (Route r : pipeline.gateway().router().getRoutes()) {
      String name = r.getName();
      if (name != null && name.startsWith(GraphqlEndpoint.ROUTE_PREFIX)) {
        continue; // GraphQL describes itself (introspection), not in the OpenAPI document
      }
      if (name == null || !(name.matches("(GET|POST|DELETE) .*") || NOT_IN_DOCUMENT.contains(name))) {
        unnamed.add(name + " (" + r.getPath() + ")");
      } else if (!NOT_IN_DOCUMENT.contains(name)) {
        served.add(name);
      }
    }
    assertTrue(unnamed.isEmpty(), "routes added outside the route table: " + unnamed);
    assertEquals(documentedOperations(), served);
    assertEquals(Set.of("/api/v1/gpus", "/api/v1/gpus/{uuid}", "/api/v1/gpus/{uuid}/telemetry", "/api/v1/gpus/{uuid}/latest", "/api/v1/latest", "/api/v1/telemetry", "/api/v1/metrics",
        "/api/v1/hosts", "/api/v1/dead-letters", "/api/v1/targets", "/api/v1/csv/upload", "/api/v1/csv/uploads",
        "/api/v1/csv/uploads/{id}", "/ws/telemetry", "/health", "/ready", "/metrics", "/openapi.json", "/openapi.yaml", "/docs", "/"),
        document.getJsonObject("paths").fieldNames());
    // and each documented operation really answers with a documented status (not the router's 404)
    for (String op : documentedOperations()) {
      String method = op.substring(0, op.indexOf(' '));
      String template = op.substring(method.length() + 1);
      String path = template.replace("{uuid}", URLEncoder.encode(gpu, StandardCharsets.UTF_8)).replace("{id}", "none");
      HttpResponse<Buffer> r = switch (method) {
        case "POST" -> await(client.post(path).putHeader("Content-Type", "text/csv")
            .sendBuffer(Buffer.buffer("uuid,metric_name,value\n")));
        case "DELETE" -> await(client.delete(path).send());
        default -> get(path);
      };
      Set<String> statuses = responses(method, template).fieldNames();
      assertTrue(statuses.contains(Integer.toString(r.statusCode())), op + " answered " + r.statusCode());
    }
  }

  @Test
  void realResponsesValidateAgainstTheDocumentedSchemas() {
    String enc = URLEncoder.encode(gpu, StandardCharsets.UTF_8);
    String host = get("/api/v1/gpus/" + enc).bodyAsJsonObject().getString("hostname");
    Map<String, String> requests = new java.util.LinkedHashMap<>();
    requests.put("/api/v1/gpus", "/api/v1/gpus");
    requests.put("/api/v1/gpus?hostname=" + URLEncoder.encode(host, StandardCharsets.UTF_8), "/api/v1/gpus");
    requests.put("/api/v1/gpus?hostname=%zz", "/api/v1/gpus");
    requests.put("/api/v1/gpus/%00", "/api/v1/gpus/{uuid}");
    requests.put("/ws/telemetry", "/ws/telemetry");
    requests.put("/api/v1/gpus/" + enc, "/api/v1/gpus/{uuid}");
    requests.put("/api/v1/gpus/GPU-unknown", "/api/v1/gpus/{uuid}");
    requests.put("/api/v1/gpus/" + enc + "/telemetry", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?limit=3", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?limit=0", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?start_time=soon", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/GPU-unknown/telemetry", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?order=desc&limit=2&start_time=now-36500d&end_time=now",
        "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?order=sideways", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?start_time=now-15y", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?step=1s&agg=max", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?step=1h&metric=DCGM_FI_DEV_GPU_UTIL&order=desc",
        "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?agg=max", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/telemetry?step=0s", "/api/v1/gpus/{uuid}/telemetry");
    requests.put("/api/v1/gpus/" + enc + "/latest", "/api/v1/gpus/{uuid}/latest");
    requests.put("/api/v1/gpus/GPU-unknown/latest", "/api/v1/gpus/{uuid}/latest");
    requests.put("/api/v1/latest?metric=DCGM_FI_DEV_GPU_UTIL", "/api/v1/latest");
    requests.put("/api/v1/latest?metric=DCGM_FI_DEV_GPU_UTIL&hostname=" + URLEncoder.encode(host, StandardCharsets.UTF_8),
        "/api/v1/latest");
    requests.put("/api/v1/latest", "/api/v1/latest");
    requests.put("/api/v1/telemetry?metric=DCGM_FI_DEV_GPU_UTIL", "/api/v1/telemetry");
    requests.put("/api/v1/telemetry?metric=DCGM_FI_DEV_GPU_UTIL&step=1h&agg=max&group_by=hostname", "/api/v1/telemetry");
    requests.put("/api/v1/telemetry?metric=DCGM_FI_DEV_GPU_UTIL&group_by=fleet&agg=last", "/api/v1/telemetry");
    requests.put("/api/v1/telemetry?metric=nothing&group_by=fleet", "/api/v1/telemetry");
    requests.put("/api/v1/telemetry", "/api/v1/telemetry");
    requests.put("/api/v1/telemetry?metric=DCGM_FI_DEV_GPU_UTIL&step=1ms&start_time=now-36500d", "/api/v1/telemetry");
    requests.put("/api/v1/metrics", "/api/v1/metrics");
    requests.put("/api/v1/hosts", "/api/v1/hosts");
    requests.put("/health", "/health");
    requests.put("/ready", "/ready");
    requests.put("/openapi.json", "/openapi.json");
    Set<String> statusesSeen = new TreeSet<>();
    for (Map.Entry<String, String> e : requests.entrySet()) {
      HttpResponse<Buffer> r = get(e.getKey());
      String status = Integer.toString(r.statusCode());
      statusesSeen.add(status);
      JsonObject response = responses(e.getValue()).getJsonObject(status);
      assertNotNull(response, e.getKey() + " answered undocumented status " + status);
      JsonObject content = response.getJsonObject("content").getJsonObject("application/json");
      assertTrue(r.getHeader("content-type").startsWith("application/json"), e.getKey());
      OutputUnit result = validator(content.getJsonObject("schema")).validate(r.bodyAsJson(Object.class));
      assertTrue(result.getValid(), e.getKey() + " -> " + status + " does not match its schema: " + result.toJson().encode()
          + "\nbody: " + r.bodyAsString());
    }
    assertEquals(Set.of("200", "400", "404"), statusesSeen);
    // an upload's answers match their schemas too: accepted, then its status and the list
    HttpResponse<Buffer> posted = await(client.post("/api/v1/csv/upload").putHeader("Content-Type", "text/csv")
        .sendBuffer(Buffer.buffer("timestamp,metric_name,uuid,value\n2025-07-18T20:42:34Z,DCGM_FI_DEV_GPU_UTIL,GPU-x,1\n"
            + "2025-07-18T20:42:34Z,DCGM_FI_DEV_GPU_UTIL,GPU-y,0x1\n")));
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    assertTrue(validator(responses("POST", "/api/v1/csv/upload").getJsonObject("202").getJsonObject("content")
        .getJsonObject("application/json").getJsonObject("schema")).validate(posted.bodyAsJsonObject()).getValid());
    String uploadId = posted.bodyAsJsonObject().getString("id");
    org.gputelemetry.pipeline.testutil.Poll.until("upload done", 30,
        () -> get("/api/v1/csv/uploads/" + uploadId).bodyAsJsonObject().getString("status").equals("done"));
    for (String[] pair : new String[][] {{"/api/v1/csv/uploads/" + uploadId, "/api/v1/csv/uploads/{id}"},
        {"/api/v1/csv/uploads", "/api/v1/csv/uploads"}}) {
      HttpResponse<Buffer> r = get(pair[0]);
      OutputUnit result = validator(responses(pair[1]).getJsonObject("200").getJsonObject("content")
          .getJsonObject("application/json").getJsonObject("schema")).validate(r.bodyAsJson(Object.class));
      assertTrue(result.getValid(), pair[0] + " does not match its schema: " + result.toJson().encode() + "\nbody: "
          + r.bodyAsString());
    }
    // agg=count over buckets counts every raw sample once
    HttpResponse<Buffer> fitting = get("/api/v1/gpus/" + enc + "/telemetry?step=1s&metric=DCGM_FI_DEV_GPU_UTIL&agg=count");
    assertEquals(200, fitting.statusCode(), fitting.bodyAsString());
    JsonObject buckets = fitting.bodyAsJsonObject();
    assertTrue(buckets.getInteger("count") >= 1 && buckets.getInteger("count") <= 10_000, buckets.encode());
    long total = 0;
    for (int i = 0; i < buckets.getJsonArray("samples").size(); i++) {
      JsonObject b = buckets.getJsonArray("samples").getJsonObject(i);
      assertEquals(b.getDouble("value"), b.getLong("count").doubleValue(), "agg=count is the count");
      total += b.getLong("count");
    }
    HttpResponse<Buffer> raw = get("/api/v1/gpus/" + enc + "/telemetry?metric=DCGM_FI_DEV_GPU_UTIL&limit=10000");
    assertEquals(raw.bodyAsJsonObject().getInteger("count").longValue(), total, "every sample in one bucket");
    // the validator does reject what does not match (a GPU with a field missing and one too many)
    assertFalse(validator(ApiSchemas.ref(ApiSchemas.GPU)).validate(new JsonObject().put("uuid", "x")).getValid());
    JsonObject extra = get("/api/v1/gpus/" + enc).bodyAsJsonObject().put("surprise", 1);
    assertFalse(validator(ApiSchemas.ref(ApiSchemas.GPU)).validate(extra).getValid());
  }

  @Test
  void errorsAnsweredBeforeAnyHandlerAreDeclaredOnEveryOperation() {
    for (String op : documentedOperations()) {
      String method = op.substring(0, op.indexOf(' '));
      JsonObject responses = responses(method, op.substring(method.length() + 1));
      for (String status : List.of("400", "405", "414", "431")) {
        JsonObject r = responses.getJsonObject(status);
        assertNotNull(r, op + " does not declare " + status);
        assertEquals(ApiSchemas.ref(ApiSchemas.ERROR), r.getJsonObject("content").getJsonObject("application/json")
            .getJsonObject("schema"), op + " " + status);
      }
    }
    assertNotNull(responses("/ws/telemetry").getJsonObject("403"), "the feed refuses foreign origins");
    assertFalse(responses("/api/v1/gpus").containsKey("403"), "no 403 on REST while CORS is off");
    GatewaySettings cors = GatewaySettings.fromJson(new JsonObject().put("cors",
        new JsonObject().put("allowedOrigins", new JsonArray().add("https://ops.example"))));
    JsonObject doc = OpenApiDocument.build(GatewayRoutes.describe(cors), cors);
    assertTrue(doc.getJsonObject("paths").getJsonObject("/api/v1/gpus").getJsonObject("get")
        .getJsonObject("responses").containsKey("403"));
    assertEquals(405, await(client.post("/api/v1/gpus").send()).statusCode());
  }

  @Test
  void liveSampleSchemaMatchesWhatTheFeedSends() {
    org.gputelemetry.pipeline.model.Sample s = new org.gputelemetry.pipeline.model.Sample(
        new org.gputelemetry.pipeline.model.Gpu("GPU-1", 0, "nvidia0", "H100", "host-1"), "DCGM_FI_DEV_GPU_UTIL",
        1_752_845_354_000_000L, 42.0, null, "pod-a", "ns");
    JsonArray frame = new JsonArray(LiveFrames.encode(List.of(s, s.withTimestamp(1_752_845_355_000_000L))));
    OutputUnit result = validator(ApiSchemas.ref(ApiSchemas.LIVE_FRAME)).validate(frame);
    assertTrue(result.getValid(), result.toJson().encode());
    OutputUnit control = validator(ApiSchemas.ref(ApiSchemas.LIVE_CONTROL))
        .validate(LiveConnection.subscribed(new LiveFilter("GPU-1", null, null)));
    assertTrue(control.getValid(), control.toJson().encode());
  }

  @Test
  void yamlIsTheSameDocument() {
    HttpResponse<Buffer> r = get("/openapi.yaml");
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("content-type").startsWith("application/yaml"));
    Map<String, Object> yaml = new Yaml().load(r.bodyAsString());
    assertEquals(document, new JsonObject(yaml));
    assertEquals("3.1.0", document.getString("openapi"));
  }

  @Test
  void swaggerUiIsServedFromTheWebjarAndPointsAtTheDocument() {
    HttpResponse<Buffer> redirect = get("/docs");
    assertEquals(302, redirect.statusCode());
    assertEquals("/docs/", redirect.getHeader("location"));
    HttpResponse<Buffer> page = get("/docs/");
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("swagger-ui-bundle.js") && page.bodyAsString().contains("../openapi.json"));
    for (String asset : List.of("/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js", "/docs/swagger-ui.css")) {
      HttpResponse<Buffer> a = get(asset);
      assertEquals(200, a.statusCode(), asset);
      assertTrue(a.body().length() > 10_000, asset);
    }
  }

  @Test
  void bearerAuthIsDeclaredOnTheApiOnlyWhenEnabled() {
    assertFalse(document.getJsonObject("components").containsKey("securitySchemes"));
    GatewaySettings secured = GatewaySettings.fromJson(new JsonObject().put("auth",
        new JsonObject().put("tokens", new JsonArray().add("t0ken"))));
    JsonObject doc = OpenApiDocument.build(GatewayRoutes.describe(secured), secured);
    assertEquals("bearer", doc.getJsonObject("components").getJsonObject("securitySchemes")
        .getJsonObject("bearerAuth").getString("scheme"));
    JsonObject paths = doc.getJsonObject("paths");
    assertTrue(paths.getJsonObject("/api/v1/gpus").getJsonObject("get").containsKey("security"));
    assertTrue(paths.getJsonObject("/ws/telemetry").getJsonObject("get").containsKey("security"));
    assertFalse(paths.getJsonObject("/health").getJsonObject("get").containsKey("security"));
    assertFalse(paths.getJsonObject("/metrics").getJsonObject("get").containsKey("security"));
  }

  @Test
  void writerMainWritesTheSameDocumentWithoutAServer(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("openapi.json");
    Path yaml = dir.resolve("openapi.yaml");
    OpenApiDocument.main(new String[] {json.toString()});
    OpenApiDocument.main(new String[] {yaml.toString()});
    JsonObject written = new JsonObject(Files.readString(json));
    assertEquals(document, written);
    assertEquals(document, new JsonObject((Map<String, Object>) new Yaml().load(Files.readString(yaml))));
  }

  private JsonObject responses(String path) {
    return responses("GET", path);
  }

  private JsonObject responses(String method, String path) {
    return document.getJsonObject("paths").getJsonObject(path).getJsonObject(method.toLowerCase(java.util.Locale.ROOT))
        .getJsonObject("responses");
  }

  /** A validator of {@code schema} with the document's {@code $ref}s resolved in place. */
  private Validator validator(JsonObject schema) {
    return Validator.create(JsonSchema.of((JsonObject) resolve(schema)), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("urn:gputelemetry:openapi").setOutputFormat(OutputFormat.Basic));
  }

  private Object resolve(Object node) {
    if (node instanceof JsonObject o) {
      String ref = o.getString("$ref");
      if (ref != null) {
        String name = ref.substring(ref.lastIndexOf('/') + 1);
        return resolve(document.getJsonObject("components").getJsonObject("schemas").getJsonObject(name));
      }
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), resolve(e.getValue())));
      return out;
    }
    if (node instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(resolve(v)));
      return out;
    }
    return node;
  }
}
