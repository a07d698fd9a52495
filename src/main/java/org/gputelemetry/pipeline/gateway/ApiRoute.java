package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operation of the gateway declared as data: method, OpenAPI path template, parameters,
 * responses and handler. The router is built from these records and so is the OpenAPI document
 * ({@link OpenApiDocument}), so adding a route with its parameters and response type updates both.
 * Immutable.
 *
 * @param path the OpenAPI path template, e.g. {@code /api/v1/gpus/{uuid}}
 * @param regex when not null, the route matches this regex instead of {@code path} (GPU ids hold
 *     '/', so their routes are regex routes with named groups for the path parameters)
 * @param secured whether bearer-token authentication applies (when it is enabled)
 * @param responses by status code ({@code "200"}, {@code "404"}, ...)
 * @param requestBody the request body by media type (its schema), empty when the operation takes none
 */
public record ApiRoute(HttpMethod method, String path, String regex, String operationId, String tag, String summary,
                       String description, List<Parameter> parameters, Map<String, Response> responses,
                       boolean secured, Map<String, JsonObject> requestBody, Handler<RoutingContext> handler) {

  public ApiRoute {
    Objects.requireNonNull(handler, "handler of " + operationId);
    parameters = List.copyOf(parameters);
    responses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(responses));
    requestBody = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requestBody));
  }

  /**
   * A path or query parameter.
   *
   * @param in {@code path} or {@code query}
   * @param schema its JSON Schema
   */
  public record Parameter(String name, String in, boolean required, String description, JsonObject schema) {
  }

  /**
   * A response: its description and, when it has a body, the media type and the body's schema.
   *
   * @param mediaType {@code null} when the response has no body
   */
  public record Response(String description, String mediaType, JsonObject schema) {
  }

  public static Builder get(String path, String operationId) {
    return new Builder(HttpMethod.GET, path, operationId);
  }

  /** The request paths this route answers, as a pattern (path parameters match one segment). */
  public java.util.regex.Pattern pathPattern() {
    if (regex != null) {
      return java.util.regex.Pattern.compile(regex);
    }
    StringBuilder p = new StringBuilder();
    for (String part : path.split("(?=\\{)|(?<=\\})")) {
      p.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : java.util.regex.Pattern.quote(part));
    }
    return java.util.regex.Pattern.compile(p.toString());
  }

  public static Builder post(String path, String operationId) {
    return new Builder(HttpMethod.POST, path, operationId);
  }

  public static Builder delete(String path, String operationId) {
    return new Builder(HttpMethod.DELETE, path, operationId);
  }

  /** {@code GET /api/v1/gpus/{uuid}}: how logs, route names and tests refer to it. */
  public String name() {
    return method.name() + " " + path;
  }

  /**
   * Adds this route to {@code router}, behind {@code auth} when the route is secured and {@code auth}
   * is not null. The Vert.x route is named after {@link #name()}, so tests can tell which router
   * entries come from the table.
   */
  public Route mount(Router router, Handler<RoutingContext> auth) {
    Route route = regex != null ? router.routeWithRegex(method, regex) : router.route(method, vertxPath(path));
    route.setName(name());
    if (secured && auth != null) {
      route.handler(auth);
    }
    return route.handler(handler);
  }

  /** {@code /a/{b}/c} as Vert.x writes it: {@code /a/:b/c}. */
  static String vertxPath(String template) {
    return template.replaceAll("\\{([^}/]+)}", ":$1");
  }

  /** Fluent construction of a route; {@link #handler} finishes it. */
  public static final class Builder {
    private final HttpMethod method;
    private final String path;
    private final String operationId;
    private String regex;
    private String tag = "telemetry";
    private String summary = "";
    private String description;
    private boolean secured;
    private final List<Parameter> parameters = new ArrayList<>();
    private final Map<String, Response> responses = new LinkedHashMap<>();
    private final Map<String, JsonObject> requestBody = new LinkedHashMap<>();

    private Builder(HttpMethod method, String path, String operationId) {
      this.method = method;
      this.path = path;
      this.operationId = operationId;
    }

    public Builder regex(String regex) {
      this.regex = regex;
      return this;
    }

    public Builder tag(String tag) {
      this.tag = tag;
      return this;
    }

    public Builder summary(String summary) {
      this.summary = summary;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** Subject to bearer-token authentication when that is enabled. */
    public Builder secured() {
      this.secured = true;
      return this;
    }

    public Builder pathParam(String name, String description, JsonObject schema) {
      parameters.add(new Parameter(name, "path", true, description, schema));
      return this;
    }

    public Builder requiredQuery(String name, String description, JsonObject schema) {
      parameters.add(new Parameter(name, "query", true, description, schema));
      return this;
    }

    public Builder query(String name, String description, JsonObject schema) {
      parameters.add(new Parameter(name, "query", false, description, schema));
      return this;
    }

    /** A JSON response. */
    public Builder json(int status, String description, JsonObject schema) {
      responses.put(Integer.toString(status), new Response(description, "application/json", schema));
      return this;
    }

    /** A response of another media type (schema may be null). */
    public Builder response(int status, String description, String mediaType, JsonObject schema) {
      responses.put(Integer.toString(status), new Response(description, mediaType, schema));
      return this;
    }

    /** A request body of this media type (repeat for each type accepted). */
    public Builder body(String mediaType, JsonObject schema) {
      requestBody.put(mediaType, schema);
      return this;
    }

    /** An error response with the API's {@code {"error": "..."}} body. */
    public Builder error(int status, String description) {
      return json(status, description, ApiSchemas.ref(ApiSchemas.ERROR));
    }

    public ApiRoute handler(Handler<RoutingContext> handler) {
      return new ApiRoute(method, path, regex, operationId, tag, summary, description, parameters, responses,
          secured, requestBody, handler);
    }
  }
}
