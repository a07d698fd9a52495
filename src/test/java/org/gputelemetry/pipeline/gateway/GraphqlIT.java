package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GraphQL on an all-in-one pipeline that has replayed the bundled sample once (so answers are
 * stable), with a token configured: every query agrees with its REST twin, errors name the
 * argument as REST names the parameter, and the limits hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphqlIT {

  private static final String TOKEN = "graphql-it-token";
  private static final String SAMPLE_FIELDS = "timestamp metric value hostname pod namespace container labels { name value }";

  private Vertx vertx;
  private WebClient client;
  private String uuid;
  private String metric;

  @BeforeAll
  void boot() {
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, Pipelines.merge(Pipelines.onePassAllInOne(null),
        new JsonObject().put("gateway", new JsonObject().put("auth", new JsonObject().put("tokens", new JsonArray().add(TOKEN))))));
    await(pipeline.streamer().finished(), 120);
    long[] last = {-1};
    Poll.until("the collector has committed everything", 60, () -> {
      long now = (long) pipeline.metrics().samplesPersisted.count();
      boolean settled = now > 0 && now == last[0];
      last[0] = now;
      if (!settled) {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return settled;
    });
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()).setFollowRedirects(false));
    uuid = rest("/api/v1/gpus").getJsonArray("gpus").getJsonObject(0).getString("uuid");
    metric = rest("/api/v1/metrics").getJsonArray("metrics").getString(0);
  }

  @AfterAll
  void shutdown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private JsonObject rest(String path) {
    HttpResponse<Buffer> r = await(client.get(path).bearerTokenAuthentication(TOKEN).send());
    assertEquals(200, r.statusCode(), path + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private JsonObject graphql(String query) {
    HttpResponse<Buffer> r = await(client.post(GraphqlEndpoint.PATH).bearerTokenAuthentication(TOKEN)
        .sendJsonObject(new JsonObject().put("query", query)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private JsonObject data(String query) {
    JsonObject answer = graphql(query);
    assertNull(answer.getValue("errors"), answer.encode());
    return answer.getJsonObject("data");
  }

  private static String quoted(String s) {
    return new JsonArray().add(s).encode().replaceAll("^\\[|\\]$", "");
  }

  /** A REST sample in GraphQL's shape: absent optional fields null, labels as {name, value}, value a double. */
  private static JsonObject asGraphql(JsonObject rest, List<String> fields) {
    JsonObject out = new JsonObject();
    for (String f : fields) {
      Object v = rest.getValue(f);
      if (f.equals("labels")) {
        JsonArray pairs = new JsonArray();
        JsonObject labels = rest.getJsonObject("labels", new JsonObject());
        labels.fieldNames().stream().sorted().forEach(n -> pairs.add(new JsonObject().put("name", n).put("value", labels.getString(n))));
        v = pairs;
      } else if (f.equals("value")) {
        v = ((Number) v).doubleValue();
      }
      out.put(f, v);
    }
    return out;
  }

  private static JsonArray normalised(JsonArray samples, List<String> fields) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < samples.size(); i++) {
      out.add(asGraphql(samples.getJsonObject(i), fields));
    }
    return out;
  }

  private static final List<String> SAMPLE = List.of("timestamp", "metric", "value", "hostname", "pod", "namespace",
      "container", "labels");

  @Test
  void catalogueAgreesWithRest() {
    String gpuFields = "uuid gpu_index device model_name hostname first_seen last_seen pci_bus_id driver_version"
        + " parent_uuid mig_profile status";
    assertEquals(rest("/api/v1/gpus").getJsonArray("gpus"), data("{ gpus { " + gpuFields + " } }").getJsonArray("gpus"));
    String host = rest("/api/v1/hosts").getJsonArray("hosts").getJsonObject(0).getString("hostname");
    assertEquals(rest("/api/v1/gpus?hostname=" + host).getJsonArray("gpus"),
        data("{ gpus(hostname: " + quoted(host) + ") { " + gpuFields + " } }").getJsonArray("gpus"));
    assertEquals(rest("/api/v1/gpus/" + enc(uuid)), data("{ gpu(uuid: " + quoted(uuid) + ") { " + gpuFields + " } }")
        .getJsonObject("gpu"));
    assertEquals(rest("/api/v1/hosts").getJsonArray("hosts"), data("{ hosts { hostname gpus } }").getJsonArray("hosts"));
    assertEquals(rest("/api/v1/metrics").getJsonArray("metrics"), data("{ metrics }").getJsonArray("metrics"));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void rawTelemetryPagesAgreeWithRest() {
    JsonObject rest = rest("/api/v1/gpus/" + enc(uuid) + "/telemetry?limit=7&order=desc");
    JsonObject gql = data("{ telemetry(uuid: " + quoted(uuid) + ", limit: 7, order: \"desc\") { uuid count next_cursor samples { "
        + SAMPLE_FIELDS + " } } }").getJsonObject("telemetry");
    assertEquals(7, gql.getInteger("count"));
    assertEquals(rest.getInteger("count"), gql.getInteger("count"));
    assertEquals(uuid, gql.getString("uuid"));
    assertNotNull(gql.getString("next_cursor"));
    assertEquals(rest.getString("next_cursor"), gql.getString("next_cursor"));
    assertEquals(normalised(rest.getJsonArray("samples"), SAMPLE), gql.getJsonArray("samples"));
    // the next page through the cursor, with a metric and a window
    String cursor = gql.getString("next_cursor");
    String last = rest.getJsonArray("samples").getJsonObject(6).getString("timestamp");
    String metric = rest.getJsonArray("samples").getJsonObject(6).getString("metric");
    JsonObject rest2 = rest("/api/v1/gpus/" + enc(uuid) + "/telemetry?limit=7&order=desc&cursor=" + enc(cursor));
    JsonObject gql2 = data("{ telemetry(uuid: " + quoted(uuid) + ", limit: 7, order: \"desc\", cursor: " + quoted(cursor)
        + ") { count next_cursor samples { " + SAMPLE_FIELDS + " } } }").getJsonObject("telemetry");
    assertEquals(normalised(rest2.getJsonArray("samples"), SAMPLE), gql2.getJsonArray("samples"));
    JsonObject rest3 = rest("/api/v1/gpus/" + enc(uuid) + "/telemetry?metric=" + enc(metric) + "&end_time=" + enc(last));
    JsonObject gql3 = data("{ telemetry(uuid: " + quoted(uuid) + ", metric: " + quoted(metric) + ", end_time: " + quoted(last)
        + ") { count next_cursor samples { " + SAMPLE_FIELDS + " } } }").getJsonObject("telemetry");
    assertFalse(gql3.getJsonArray("samples").isEmpty());
    assertEquals(rest3.getInteger("count"), gql3.getInteger("count"));
    assertEquals(normalised(rest3.getJsonArray("samples"), SAMPLE), gql3.getJsonArray("samples"));
  }

  @Test
  void downsampledTelemetryAgreesWithRest() {
    JsonObject rest = rest("/api/v1/gpus/" + enc(uuid) + "/telemetry?step=1s&agg=max&metric=" + enc(metric));
    JsonObject gql = data("{ telemetry(uuid: " + quoted(uuid) + ", step: \"1s\", agg: \"max\", metric: " + quoted(metric)
        + ") { uuid step agg count samples { timestamp metric value hostname count } } }").getJsonObject("telemetry");
    assertFalse(gql.getJsonArray("samples").isEmpty());
    assertEquals("1s", gql.getString("step"));
    assertEquals("max", gql.getString("agg"));
    assertEquals(rest.getInteger("count"), gql.getInteger("count"));
    assertEquals(normalised(rest.getJsonArray("samples"), List.of("timestamp", "metric", "value", "hostname", "count")),
        gql.getJsonArray("samples"));
  }

  @Test
  void latestAgreesWithRest() {
    JsonObject rest = rest("/api/v1/gpus/" + enc(uuid) + "/latest");
    JsonArray gql = data("{ latest(uuid: " + quoted(uuid) + ") { " + SAMPLE_FIELDS + " } }").getJsonArray("latest");
    assertFalse(gql.isEmpty());
    assertEquals(normalised(rest.getJsonArray("samples"), SAMPLE), gql);
    JsonObject restOf = rest("/api/v1/latest?metric=" + enc(metric));
    JsonArray gqlOf = data("{ latestOf(metric: " + quoted(metric) + ") { uuid " + SAMPLE_FIELDS + " } }").getJsonArray("latestOf");
    List<String> withUuid = new java.util.ArrayList<>(List.of("uuid"));
    withUuid.addAll(SAMPLE);
    assertTrue(gqlOf.size() > 1);
    assertEquals(normalised(restOf.getJsonArray("samples"), withUuid), gqlOf);
  }

  @Test
  void fleetSeriesAgreeWithRest() {
    String fields = "{ metric step agg group_by series { uuid hostname samples { timestamp value count } } }";
    for (String group : List.of("gpu", "hostname", "fleet")) {
      JsonObject rest = rest("/api/v1/telemetry?metric=" + enc(metric) + "&step=1m&agg=max&group_by=" + group);
      JsonObject gql = data("{ fleet(metric: " + quoted(metric) + ", step: \"1m\", agg: \"max\", group_by: "
          + quoted(group) + ") " + fields + " }").getJsonObject("fleet");
      assertEquals(group, gql.getString("group_by"));
      assertFalse(gql.getJsonArray("series").isEmpty(), group);
      assertEquals(inGraphqlShape(rest), gql, group);
    }
    // the step REST picks when none is given, and the host filter
    String host = rest("/api/v1/hosts").getJsonArray("hosts").getJsonObject(0).getString("hostname");
    JsonObject rest = rest("/api/v1/telemetry?metric=" + enc(metric) + "&hostname=" + enc(host));
    JsonObject gql = data("{ fleet(metric: " + quoted(metric) + ", hostname: " + quoted(host) + ") " + fields + " }")
        .getJsonObject("fleet");
    assertEquals(rest.getString("step"), gql.getString("step"));
    assertEquals(inGraphqlShape(rest), gql);
    JsonObject bad = graphql("{ fleet(metric: " + quoted(metric) + ", group_by: \"rack\") { step } }")
        .getJsonArray("errors").getJsonObject(0);
    assertEquals("group_by", bad.getJsonObject("extensions").getString("argument"));
    assertEquals(400, bad.getJsonObject("extensions").getInteger("status"));
    JsonObject tooFine = graphql("{ fleet(metric: " + quoted(metric) + ", step: \"1ms\") { step } }")
        .getJsonArray("errors").getJsonObject(0);
    assertEquals("step", tooFine.getJsonObject("extensions").getString("argument"), tooFine.encode());
  }

  /** REST's fleet answer with GraphQL's nulls for absent fields and double values. */
  private static JsonObject inGraphqlShape(JsonObject rest) {
    JsonArray series = new JsonArray();
    for (int i = 0; i < rest.getJsonArray("series").size(); i++) {
      JsonObject s = rest.getJsonArray("series").getJsonObject(i);
      series.add(new JsonObject().put("uuid", s.getValue("uuid")).put("hostname", s.getValue("hostname"))
          .put("samples", normalised(s.getJsonArray("samples"), List.of("timestamp", "value", "count"))));
    }
    return new JsonObject().put("metric", rest.getValue("metric")).put("step", rest.getValue("step"))
        .put("agg", rest.getValue("agg")).put("group_by", rest.getValue("group_by")).put("series", series);
  }

  @Test
  void errorsNameTheArgumentAsRestNamesTheParameter() {
    JsonObject unknown = graphql("{ gpu(uuid: \"GPU-no-such\") { uuid } }");
    assertNull(unknown.getJsonObject("data").getValue("gpu"));
    JsonObject e = unknown.getJsonArray("errors").getJsonObject(0);
    assertEquals(404, e.getJsonObject("extensions").getInteger("status"));
    assertTrue(e.getString("message").contains("GPU-no-such"), e.encode());
    assertEquals(404, await(client.get("/api/v1/gpus/GPU-no-such/telemetry").bearerTokenAuthentication(TOKEN).send()).statusCode());
    assertEquals(404, graphql("{ telemetry(uuid: \"GPU-no-such\") { count } }").getJsonArray("errors").getJsonObject(0)
        .getJsonObject("extensions").getInteger("status"));

    HttpResponse<Buffer> restBad = await(client.get("/api/v1/gpus/" + enc(uuid) + "/telemetry?limit=0")
        .bearerTokenAuthentication(TOKEN).send());
    assertEquals(400, restBad.statusCode());
    JsonObject bad = graphql("{ telemetry(uuid: " + quoted(uuid) + ", limit: 0) { count } }").getJsonArray("errors").getJsonObject(0);
    assertEquals(restBad.bodyAsJsonObject().getString("error"), bad.getString("message"));
    assertEquals("limit", bad.getJsonObject("extensions").getString("argument"));
    assertEquals(400, bad.getJsonObject("extensions").getInteger("status"));
    for (String arg : List.of("start_time: \"yesterday\"", "step: \"5x\"", "agg: \"median\", step: \"1m\"", "order: \"up\"",
        "cursor: \"###\"")) {
      String name = arg.substring(0, arg.indexOf(':'));
      JsonObject err = graphql("{ telemetry(uuid: " + quoted(uuid) + ", " + arg + ") { count } }").getJsonArray("errors")
          .getJsonObject(0);
      assertEquals(name, err.getJsonObject("extensions").getString("argument"), err.encode());
      assertTrue(err.getString("message").contains("'" + name + "'"), err.encode());
    }
    JsonObject blank = graphql("{ latestOf(metric: \" \") { uuid } }").getJsonArray("errors").getJsonObject(0);
    assertEquals("metric", blank.getJsonObject("extensions").getString("argument"));
  }

  @Test
  void authenticationIsRequiredWhenATokenIsSet() {
    HttpResponse<Buffer> none = await(client.post(GraphqlEndpoint.PATH).sendJsonObject(new JsonObject().put("query", "{ metrics }")));
    assertEquals(401, none.statusCode());
    HttpResponse<Buffer> wrong = await(client.post(GraphqlEndpoint.PATH).bearerTokenAuthentication("wrong")
        .sendJsonObject(new JsonObject().put("query", "{ metrics }")));
    assertEquals(401, wrong.statusCode());
    HttpResponse<Buffer> get = await(client.get(GraphqlEndpoint.PATH + "?query=" + enc("{ metrics }"))
        .bearerTokenAuthentication(TOKEN).send());
    assertEquals(200, get.statusCode(), get.bodyAsString());
    assertEquals(rest("/api/v1/metrics").getJsonArray("metrics"), get.bodyAsJsonObject().getJsonObject("data").getJsonArray("metrics"));
  }

  @Test
  void deepAndLargeQueriesAreRefused() {
    int levels = GraphqlSchema.MAX_DEPTH;
    String deep = "{ __schema { types { fields { type { " + "ofType { ".repeat(levels) + "name" + " }".repeat(levels + 4) + " }";
    JsonObject answer = graphql(deep);
    assertNull(answer.getValue("data"));
    assertTrue(answer.getJsonArray("errors").getJsonObject(0).getString("message").toLowerCase().contains("depth"),
        answer.encode());
    // introspection as GraphiQL sends it stays within the limits
    String introspection = "{ __schema { queryType { name } types { name kind fields { name args { name type { name kind "
        + "ofType { name kind ofType { name kind ofType { name kind } } } } } type { name kind ofType { name kind } } } } } }";
    assertNull(graphql(introspection).getValue("errors"));
    String big = "{ metrics " + " ".repeat(GraphqlEndpoint.MAX_BODY) + "}";
    HttpResponse<Buffer> tooLarge = await(client.post(GraphqlEndpoint.PATH).bearerTokenAuthentication(TOKEN)
        .sendJsonObject(new JsonObject().put("query", big)));
    assertEquals(413, tooLarge.statusCode());
  }

  @Test
  void graphiqlIsServedFromTheJar() {
    HttpResponse<Buffer> page = await(client.get(GraphqlEndpoint.GRAPHIQL + "/").send());
    assertEquals(200, page.statusCode());
    String html = page.bodyAsString();
    assertTrue(html.contains("GraphiQL"), html);
    java.util.regex.Matcher script = java.util.regex.Pattern.compile("src=\"\\./(static/js/[^\"]+)\"").matcher(html);
    assertTrue(script.find(), html);
    HttpResponse<Buffer> js = await(client.get(GraphqlEndpoint.GRAPHIQL + "/" + script.group(1)).send());
    assertEquals(200, js.statusCode());
    assertTrue(js.body().length() > 100_000, "the bundled GraphiQL script, no CDN");
    assertTrue(List.of(200, 301, 302).contains(await(client.get(GraphqlEndpoint.GRAPHIQL).send()).statusCode()));
  }
}
