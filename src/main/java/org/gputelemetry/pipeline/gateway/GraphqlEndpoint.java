package org.gputelemetry.pipeline.gateway;

import graphql.GraphQL;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.GraphQLHandlerOptions;
import io.vertx.ext.web.handler.graphql.GraphiQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandlerOptions;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import java.util.Map;
import org.gputelemetry.pipeline.gateway.TelemetryApi;

/**
 * Mounts GraphQL on the gateway's router: {@value #PATH} answers queries (POST with a JSON body of
 * at most {@value #MAX_BODY} bytes, or GET with {@code ?query=}) and, on a WebSocket upgrade with
 * the {@code graphql-transport-ws} subprotocol, subscriptions; {@value #GRAPHIQL} serves GraphiQL
 * from the jar (no CDN). Authentication, when on, guards {@value #PATH} as {@code /api}: a bearer
 * header, or on the WebSocket upgrade also {@code ?access_token=}. GraphiQL's page is static and
 * open, as {@code /docs} is; the queries it sends are authenticated.
 */
public final class GraphqlEndpoint {

  public static final String PATH = "/graphql";
  public static final String GRAPHIQL = "/graphiql";
  /** The WebSocket subprotocol the server must offer for subscriptions. */
  public static final String WS_SUBPROTOCOL = "graphql-transport-ws";
  /** Router entry names start with this (the OpenAPI document describes REST only). */
  public static final String ROUTE_PREFIX = "graphql ";
  /** Largest POST body: queries are text, a few KB at most. */
  public static final int MAX_BODY = 64 * 1024;

  private GraphqlEndpoint() {
  }

  /**
   * @param restAuth the {@code /api} authentication (bearer header), or null when off
   * @param wsAuth the live feed's (header or {@code ?access_token=}), or null when off
   */
  public static void mount(Vertx vertx, Router router, TelemetryApi api, int queueSize,
                           Handler<RoutingContext> restAuth, Handler<RoutingContext> wsAuth) {
    LiveSubscriptions live = new LiveSubscriptions(vertx, queueSize);
    GraphQL graphql = GraphqlSchema.create(api, live);
    if (restAuth != null) {
      router.route(PATH).setName(ROUTE_PREFIX + "auth").handler(ctx -> {
        if (ctx.request().canUpgradeToWebSocket()) {
          wsAuth.handle(ctx);
        } else {
          restAuth.handle(ctx);
        }
      });
    }
    router.route(PATH).setName(ROUTE_PREFIX + "subscriptions").handler(GraphQLWSHandler.builder(graphql)
        // the socket rides along with each operation, so subscriptions are counted per connection
        .beforeExecute(e -> e.builder().graphQLContext(Map.of(LiveSubscriptions.SOCKET, e.context().socket())))
        .onSocketEnd(live::socketEnded)
        .build());
    router.post(PATH).setName(ROUTE_PREFIX + "body").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.route(PATH).method(HttpMethod.GET).method(HttpMethod.POST).setName(ROUTE_PREFIX + "queries")
        .handler(GraphQLHandler.create(graphql, new GraphQLHandlerOptions().setRequestBatchingEnabled(false)));
    GraphiQLHandler graphiql = GraphiQLHandler.create(vertx, new GraphiQLHandlerOptions().setEnabled(true)
        .setGraphQLUri(PATH).setGraphQLWSEnabled(true).setGraphWSQLUri(PATH));
    router.route(GRAPHIQL + "/*").setName(ROUTE_PREFIX + "graphiql").subRouter(graphiql.router());
  }
}
