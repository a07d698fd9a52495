package org.gputelemetry.pipeline.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.ops.OpsEndpoints;

/**
 * The gateway's route table: every route it serves, as {@link ApiRoute}s, in match order. The
 * router and the OpenAPI document are both built from this list; only static assets (Swagger UI's
 * and the dashboard's files) are mounted outside it.
 */
final class GatewayRoutes {

  private GatewayRoutes() {
  }

  /** @param uploads the CSV upload routes (none when {@code gateway.upload.enabled} is false) */
  static List<ApiRoute> table(TelemetryApi api, TargetsApi targets, List<ApiRoute> uploads, OpsEndpoints ops,
                              LiveFeed feed, ApiDocs docs, Handler<RoutingContext> dashboard) {
    List<ApiRoute> routes = new ArrayList<>(api.routes());
    routes.add(new DeadLetterApi(api.store()).route());
    routes.add(targets.route());
    routes.addAll(uploads);
    routes.add(ApiRoute.get(LiveFeed.PATH, "liveTelemetry").tag("live").secured()
        .summary("Live feed of committed samples (WebSocket)")
        .description("Upgrade to a WebSocket. The server first sends {\"type\":\"subscribed\",...} (LiveControl), then "
            + "frames that are JSON arrays of samples as the collector commits them (LiveFrame: the REST sample shape "
            + "plus uuid), oldest first. A client that reads too slowly has the oldest of its queued samples dropped "
            + "and gets {\"type\":\"dropped\",\"count\":N} before its next frame. Send "
            + "{\"type\":\"subscribe\",\"gpu\":...,\"metric\":...,\"hostname\":...} to change the filter (null or "
            + "absent = all). With authentication on, pass the token as ?access_token= (browsers cannot set headers "
            + "on a WebSocket) or as a bearer header. Client messages are limited to "
            + GatewayVerticle.MAX_CLIENT_MESSAGE + " bytes (larger: closed with 1009). A client whose socket takes "
            + "nothing for half of gateway.idleTimeout, or that answers no ping for gateway.idleTimeout, is closed "
            + "with 1008; while a reply to its own message cannot be written, its messages are not read.")
        .query("gpu", "only this GPU (uuid)", ApiSchemas.string())
        .query("metric", "only this metric", ApiSchemas.string())
        .query("hostname", "only this host's GPUs", ApiSchemas.string())
        .response(101, "switching to the WebSocket protocol; messages are LiveFrame and LiveControl", null, null)
        .error(400, "not a WebSocket upgrade request, or a filter longer than " + LiveFilter.MAX_LENGTH + " characters")
        .error(403, "a browser's Origin that is neither the gateway's own nor in gateway.cors.allowedOrigins")
        .handler(feed::handle));
    routes.add(ApiRoute.get(OpsEndpoints.HEALTH, "health").tag("ops")
        .summary("Liveness").description("UP while the process answers.")
        .json(200, "alive", ApiSchemas.ref(ApiSchemas.HEALTH))
        .handler(ops::health));
    routes.add(ApiRoute.get(OpsEndpoints.READY, "ready").tag("ops")
        .summary("Readiness").description("One entry per check (store, transport, and the roles this process runs); "
            + "503 while any check is down.")
        .json(200, "every check is up", ApiSchemas.ref(ApiSchemas.HEALTH))
        .json(503, "a check is down", ApiSchemas.ref(ApiSchemas.HEALTH))
        .handler(ops::ready));
    routes.add(ApiRoute.get(OpsEndpoints.METRICS, "prometheusMetrics").tag("ops")
        .summary("Prometheus metrics").description("Text exposition format: Vert.x's own metrics (when on) and the "
            + "pipeline's (telemetry_*, message_queue_connection_status).")
        .response(200, "the metrics", "text/plain", ApiSchemas.string())
        .handler(ops::metrics));
    routes.add(ApiRoute.get("/openapi.json", "openApiJson").tag("docs")
        .summary("This OpenAPI document (JSON)")
        .json(200, "the document", new JsonObject().put("type", "object"))
        .handler(docs::json));
    routes.add(ApiRoute.get("/openapi.yaml", "openApiYaml").tag("docs")
        .summary("This OpenAPI document (YAML)")
        .response(200, "the document", "application/yaml", ApiSchemas.string())
        .handler(docs::yaml));
    routes.add(ApiRoute.get("/docs", "swaggerUi").tag("docs").regex("/docs(/|/index\\.html)?")
        .summary("Swagger UI").description("/docs redirects to /docs/, which serves Swagger UI on this document.")
        .response(200, "the Swagger UI page", "text/html", ApiSchemas.string())
        .response(302, "redirect from /docs to /docs/", null, null)
        .handler(docs::swaggerUi));
    routes.add(ApiRoute.get("/", "dashboard").tag("docs")
        .summary("Live dashboard").description("The fleet at a glance: hosts and their GPUs as tiles, updated live.")
        .response(200, "the dashboard page", "text/html", ApiSchemas.string())
        .handler(dashboard));
    return routes;
  }

  /** The table with inert handlers: for writing the document without running a gateway. */
  static List<ApiRoute> describe(GatewaySettings settings) {
    Handler<RoutingContext> none = ctx -> ctx.fail(501);
    List<ApiRoute> uploads = settings.upload().enabled() ? new UploadApi(null, null).routes(settings.upload()) : List.of();
    return table(new TelemetryApi(null), new TargetsApi(null), uploads, new OpsEndpoints(null, new SimpleMeterRegistry()),
        new LiveFeed(null, settings.websocketQueueSize(), settings.idleTimeout(), null), new ApiDocs(), none);
  }
}
