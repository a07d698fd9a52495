package org.gputelemetry.pipeline.gateway;

import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.gputelemetry.pipeline.gateway.ApiException;
import org.gputelemetry.pipeline.gateway.ApiJson;
import org.gputelemetry.pipeline.gateway.TelemetryApi;
import org.gputelemetry.pipeline.gateway.TelemetryQueryParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executable schema ({@code graphql/telemetry.graphqls}): every query field is answered by
 * the REST API's own code ({@link TelemetryApi}), so parsing, defaults and errors are the same;
 * its JSON becomes plain maps and lists for graphql-java. An {@link ApiException} becomes a
 * GraphQL error with its message and {@code extensions.status} (and {@code extensions.argument}
 * when it names one); any other failure is the store's, reported as {@code store unavailable}
 * (503) and logged.
 */
public final class GraphqlSchema {

  private static final Logger LOG = LoggerFactory.getLogger(GraphqlSchema.class);
  /** Deepest query accepted: above introspection's own depth (GraphiQL's is 13), far above the schema's data (4). */
  public static final int MAX_DEPTH = 15;
  /** Most fields a query may select (each field counts 1, fragments expanded). */
  public static final int MAX_COMPLEXITY = 1_000;

  private GraphqlSchema() {
  }

  /** The GraphQL engine over {@code api}, its subscription fed by {@code live}. */
  public static GraphQL create(TelemetryApi api, LiveSubscriptions live) {
    FleetTelemetryApi fleet = new FleetTelemetryApi(api.store());
    RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
        .type("Query", b -> b
            .dataFetcher("gpus", env -> answer(api.gpusJson(env.getArgument("hostname")), "gpus"))
            .dataFetcher("gpu", env -> answer(api.gpuJson(uuid(env)), null))
            .dataFetcher("hosts", env -> answer(api.store().hosts().map(ApiJson::hosts), "hosts"))
            .dataFetcher("metrics", env -> answer(api.store().metrics()
                .map(names -> new JsonObject().put("metrics", new JsonArray(names))), "metrics"))
            .dataFetcher("telemetry", env -> answer(api.telemetryJson(uuid(env), params(env)), null))
            .dataFetcher("latest", env -> answer(api.gpuLatestJson(uuid(env)), "samples"))
            .dataFetcher("latestOf", env -> answer(api.latestJson(env.getArgument("metric"), env.getArgument("hostname")),
                "samples"))
            .dataFetcher("fleet", env -> answer(fleet.fleetJson(params(env)), null)))
        .type("Subscription", b -> b.dataFetcher("telemetry", live::publisher))
        .type("Sample", b -> b.dataFetcher("labels", GraphqlSchema::labels))
        .build();
    GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl()), wiring);
    return GraphQL.newGraphQL(schema)
        .instrumentation(new ChainedInstrumentation(List.of(
            new MaxQueryDepthInstrumentation(MAX_DEPTH), new MaxQueryComplexityInstrumentation(MAX_COMPLEXITY))))
        .defaultDataFetcherExceptionHandler(GraphqlSchema::error)
        .build();
  }

  private static String sdl() {
    try (InputStream in = GraphqlSchema.class.getClassLoader().getResourceAsStream("graphql/telemetry.graphqls")) {
      if (in == null) {
        throw new IllegalStateException("graphql/telemetry.graphqls is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The uuid argument, refused when blank as REST refuses an empty path segment. */
  private static String uuid(DataFetchingEnvironment env) {
    String uuid = env.getArgument("uuid");
    if (uuid == null || uuid.isBlank()) {
      throw ApiException.badParameter("uuid", "must not be empty");
    }
    return uuid;
  }

  /** The field's arguments as REST query parameters (their text), so TelemetryQueryParams parses them. */
  private static MultiMap params(DataFetchingEnvironment env) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    env.getArguments().forEach((name, value) -> {
      if (value != null && !name.equals("uuid")) {
        params.add(name, value.toString());
      }
    });
    return params;
  }

  /** REST's answer as graphql-java's plain values; {@code field} picks one member (the list), null takes all. */
  private static CompletionStage<Object> answer(Future<JsonObject> json, String field) {
    return json.map(o -> plain(field == null ? o : o.getValue(field))).toCompletionStage();
  }

  static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (v instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, value) -> out.put(String.valueOf(k), plain(value)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(value -> out.add(plain(value)));
      return out;
    }
    return v;
  }

  /** REST's {@code labels} object (absent when none) as a list of {name, value}. */
  private static List<Map<String, Object>> labels(DataFetchingEnvironment env) {
    Map<String, Object> sample = env.getSource();
    Object labels = sample == null ? null : sample.get("labels");
    List<Map<String, Object>> out = new ArrayList<>();
    if (labels instanceof List<?> list) {
      list.forEach(l -> out.add(castMap(l)));
    } else if (labels instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.add(Map.of("name", String.valueOf(k), "value", String.valueOf(v))));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  private static CompletableFuture<DataFetcherExceptionHandlerResult> error(
      graphql.execution.DataFetcherExceptionHandlerParameters params) {
    Throwable e = params.getException();
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    GraphqlErrorBuilder<?> b = GraphqlErrorBuilder.newError(params.getDataFetchingEnvironment());
    Map<String, Object> extensions = new LinkedHashMap<>();
    if (e instanceof ApiException api) {
      b.message(api.getMessage());
      extensions.put("status", api.status());
      if (api.parameter() != null) {
        extensions.put("argument", api.parameter());
      }
    } else {
      LOG.warn("GraphQL query failed: {}", e.toString());
      b.message("store unavailable");
      extensions.put("status", 503);
    }
    GraphQLError error = b.extensions(extensions).build();
    return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult().error(error).build());
  }
}
