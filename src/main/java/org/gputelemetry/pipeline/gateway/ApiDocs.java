package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Serves the OpenAPI document ({@code /openapi.json}, {@code /openapi.yaml}) and Swagger UI
 * ({@code /docs/}, assets from the swagger-ui webjar on the classpath: no CDN). The document is
 * published once the route table is complete. Thread-safe after {@link #publish}.
 */
final class ApiDocs {

  private final String swaggerPage;
  private final String swaggerRoot;
  private volatile String json;
  private volatile String yaml;

  ApiDocs() {
    this.swaggerRoot = "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion();
    this.swaggerPage = resource("gateway/swagger-ui.html");
  }

  void publish(JsonObject document) {
    json = document.encodePrettily();
    yaml = OpenApiDocument.yaml(document);
  }

  void json(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(json);
  }

  void yaml(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/yaml; charset=utf-8").end(yaml);
  }

  /** {@code /docs} redirects to {@code /docs/}, so the page's relative asset links resolve under it. */
  void swaggerUi(RoutingContext ctx) {
    if (ctx.request().path().equals("/docs")) {
      ctx.redirect("/docs/");
      return;
    }
    ctx.response().putHeader("content-type", "text/html; charset=utf-8").end(swaggerPage);
  }

  /** Swagger UI's own files, from the webjar. */
  Handler<RoutingContext> assets() {
    return StaticHandler.create(swaggerRoot);
  }

  private static String swaggerUiVersion() {
    Properties p = new Properties();
    try (InputStream in = ApiDocs.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static String resource(String name) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
