package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may use the gateway ({@code gateway.cors.allowedOrigins}). The gateway's
 * own origin (the {@code Origin} header's host and port equal to the {@code Host} header: the
 * dashboard) is always allowed, and so is a request without {@code Origin} (not a browser, or a
 * same-origin GET). REST requests from other origins get CORS headers when the allow-list names
 * them; when CORS is off they are answered without, so the browser keeps the answer from the page.
 * A WebSocket upgrade is checked against the same list whether CORS is on or off, because browsers
 * do not apply CORS to WebSockets: a foreign origin gets a 403. Immutable; thread-safe.
 */
final class OriginPolicy {

  private final List<String> allowed;
  private final boolean any;
  private final CorsHandler cors;

  /** @param cors the CORS handler of the allow-list, or {@code null} when CORS is off */
  OriginPolicy(List<String> allowed, CorsHandler cors) {
    this.allowed = allowed.stream().map(OriginPolicy::normalise).toList();
    this.any = allowed.contains("*");
    this.cors = cors;
  }

  /** The router handler in front of every route: CORS for foreign origins, nothing for the gateway's own. */
  Handler<RoutingContext> rest() {
    return ctx -> {
      String origin = ctx.request().getHeader("Origin");
      if (cors == null || origin == null || sameOrigin(ctx.request(), origin)) {
        ctx.next();
        return;
      }
      if (!isAllowed(origin)) {
        throw refused(origin);
      }
      cors.handle(ctx);
    };
  }

  /** The handler in front of the live feed: a browser's upgrade from a foreign origin is refused. */
  Handler<RoutingContext> websocket() {
    return ctx -> {
      String origin = ctx.request().getHeader("Origin");
      if (origin == null || sameOrigin(ctx.request(), origin) || isAllowed(origin)) {
        ctx.next();
        return;
      }
      // the refused upgrade ends the connection: it is no HTTP client to keep alive
      ctx.response().putHeader("Connection", "close");
      throw refused(origin);
    };
  }

  private static ApiException refused(String origin) {
    return new ApiException(403, "origin '" + ApiException.clip(origin)
        + "' is not allowed (gateway.cors.allowedOrigins lists the allowed origins)");
  }

  boolean isAllowed(String origin) {
    return any || allowed.contains(normalise(origin));
  }

  /** Whether {@code origin} names the host and port the request was sent to. */
  static boolean sameOrigin(HttpServerRequest request, String origin) {
    String host = request.getHeader("Host");
    if (host == null) {
      return false;
    }
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return false;
      }
      int defaultPort = scheme.equals("https") ? 443 : 80;
      int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
      URI hostUri = new URI("x://" + host);
      if (hostUri.getHost() == null) {
        return false;
      }
      int hostPort = hostUri.getPort() < 0 ? defaultPort : hostUri.getPort();
      return uri.getHost().equalsIgnoreCase(hostUri.getHost()) && originPort == hostPort;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** {@code https://Ops.Example:443/} and {@code https://ops.example} are the same origin. */
  static String normalise(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    while (o.endsWith("/")) {
      o = o.substring(0, o.length() - 1);
    }
    if (o.startsWith("https://") && o.endsWith(":443")) {
      o = o.substring(0, o.length() - 4);
    } else if (o.startsWith("http://") && o.endsWith(":80")) {
      o = o.substring(0, o.length() - 3);
    }
    return o;
  }
}
