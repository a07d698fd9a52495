package org.gputelemetry.pipeline.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.config.GatewaySettings;

/**
 * Builds the OpenAPI 3.1 document from the gateway's route table ({@link ApiRoute}s) and the
 * schemas in {@link ApiSchemas}: nothing is written by hand, so the document describes exactly
 * the routes the router serves. Bearer authentication is declared on the secured operations when
 * it is enabled. Stateless.
 *
 * <p>{@code main} writes the document to a file (JSON, or YAML when the name ends in
 * {@code .yaml}/{@code .yml}) without starting a server; {@code scripts/openapi.sh} runs it.
 */
public final class OpenApiDocument {

  public static final String VERSION = "3.1.0";
  private static final String BEARER = "bearerAuth";

  private OpenApiDocument() {
  }

  public static JsonObject build(List<ApiRoute> routes, GatewaySettings settings) {
    JsonObject paths = new JsonObject();
    for (ApiRoute r : routes) {
      JsonObject item = paths.getJsonObject(r.path());
      if (item == null) {
        item = new JsonObject();
        paths.put(r.path(), item);
      }
      item.put(r.method().name().toLowerCase(java.util.Locale.ROOT),
          operation(r, settings.auth().enabled(), !settings.corsAllowedOrigins().isEmpty()));
    }
    JsonObject schemas = new JsonObject();
    ApiSchemas.components().forEach(schemas::put);
    JsonObject components = new JsonObject().put("schemas", schemas);
    if (settings.auth().enabled()) {
      components.put("securitySchemes", new JsonObject().put(BEARER, new JsonObject()
          .put("type", "http").put("scheme", "bearer")
          .put("description", "a token from gateway.auth (WebSocket upgrades may pass it as ?access_token=)")));
    }
    return new JsonObject()
        .put("openapi", VERSION)
        .put("info", new JsonObject()
            .put("title", "GPU telemetry pipeline")
            .put("version", "1.0.0")
            .put("description", "DCGM telemetry of a GPU fleet: the GPU catalogue, each GPU's samples over time, "
                + "a live WebSocket feed, and the process's health, readiness and Prometheus metrics. "
                + "Timestamps are RFC 3339 UTC."))
        .put("tags", new JsonArray()
            .add(tag("telemetry", "GPUs, hosts, metrics and samples"))
            .add(tag("live", "WebSocket live feed of committed samples"))
            .add(tag("upload", "CSV files uploaded to the pipeline and their ingestion status"))
            .add(tag("ops", "Health, readiness and Prometheus metrics (never authenticated)"))
            .add(tag("docs", "This document, Swagger UI and the dashboard")))
        .put("paths", paths)
        .put("components", components);
  }

  private static JsonObject tag(String name, String description) {
    return new JsonObject().put("name", name).put("description", description);
  }

  /**
   * Errors any operation may answer, before its handler runs (the request checks, CORS, the
   * connection cap and Netty's decoder), each with the API's JSON error body.
   */
  private static Map<String, String> commonErrors(ApiRoute r, boolean corsEnabled) {
    Map<String, String> errors = new java.util.LinkedHashMap<>();
    errors.put("400", "malformed request: a bad percent-escape, invalid UTF-8 or a control character in the path "
        + "or a query parameter (the message names it)");
    if (corsEnabled || r.path().startsWith("/ws/")) {
      errors.put("403", "the browser's Origin is neither the gateway's own nor in gateway.cors.allowedOrigins");
    }
    errors.put("405", "the path exists, but not with this method");
    errors.put("414", "the request line (URI) is too long");
    errors.put("431", "the request headers are too large");
    errors.put("503", "the gateway is at gateway.maxConnections (probes are still answered)");
    return errors;
  }

  private static JsonObject operation(ApiRoute r, boolean authEnabled, boolean corsEnabled) {
    JsonObject op = new JsonObject().put("operationId", r.operationId()).put("tags", new JsonArray().add(r.tag()))
        .put("summary", r.summary());
    if (r.description() != null) {
      op.put("description", r.description());
    }
    if (!r.parameters().isEmpty()) {
      JsonArray params = new JsonArray();
      for (ApiRoute.Parameter p : r.parameters()) {
        params.add(new JsonObject().put("name", p.name()).put("in", p.in()).put("required", p.required())
            .put("description", p.description()).put("schema", p.schema()));
      }
      op.put("parameters", params);
    }
    if (!r.requestBody().isEmpty()) {
      JsonObject content = new JsonObject();
      r.requestBody().forEach((type, schema) -> content.put(type, new JsonObject().put("schema", schema)));
      op.put("requestBody", new JsonObject().put("required", true).put("content", content));
    }
    JsonObject responses = new JsonObject();
    for (Map.Entry<String, ApiRoute.Response> e : r.responses().entrySet()) {
      ApiRoute.Response resp = e.getValue();
      JsonObject out = new JsonObject().put("description", resp.description());
      if (resp.mediaType() != null) {
        JsonObject media = new JsonObject();
        if (resp.schema() != null) {
          media.put("schema", resp.schema());
        }
        out.put("content", new JsonObject().put(resp.mediaType(), media));
      }
      responses.put(e.getKey(), out);
    }
    boolean probe = r.tag().equals("ops");
    for (Map.Entry<String, String> e : commonErrors(r, corsEnabled).entrySet()) {
      if (!responses.containsKey(e.getKey()) && !(probe && e.getKey().equals("503"))) {
        responses.put(e.getKey(), errorResponse(e.getValue()));
      }
    }
    if (r.secured() && authEnabled) {
      op.put("security", new JsonArray().add(new JsonObject().put(BEARER, new JsonArray())));
      responses.put("401", errorResponse("missing or unknown bearer token"));
    }
    return op.put("responses", sorted(responses));
  }

  private static JsonObject errorResponse(String description) {
    return new JsonObject().put("description", description).put("content",
        new JsonObject().put("application/json", new JsonObject().put("schema", ApiSchemas.ref(ApiSchemas.ERROR))));
  }

  /** Responses in status order, as readers of the document expect. */
  private static JsonObject sorted(JsonObject responses) {
    JsonObject out = new JsonObject();
    responses.fieldNames().stream().sorted().forEach(k -> out.put(k, responses.getValue(k)));
    return out;
  }

  /** The document as YAML (same content as the JSON). */
  public static String yaml(JsonObject document) {
    try {
      ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build());
      return yaml.writeValueAsString(new ObjectMapper().readTree(document.encode()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the OpenAPI document as YAML", e);
    }
  }

  /** Writes the document of the default gateway settings to {@code args[0]} (JSON, or YAML by extension). */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: OpenApiDocument <file.json|file.yaml>");
      System.exit(2);
    }
    GatewaySettings settings = GatewaySettings.fromJson(new JsonObject());
    JsonObject doc = build(GatewayRoutes.describe(settings), settings);
    Path out = Path.of(args[0]);
    String name = out.getFileName().toString();
    String text = name.endsWith(".yaml") || name.endsWith(".yml") ? yaml(doc) : doc.encodePrettily() + "\n";
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.out.println("wrote " + out + " (" + doc.getJsonObject("paths").size() + " paths)");
  }
}
