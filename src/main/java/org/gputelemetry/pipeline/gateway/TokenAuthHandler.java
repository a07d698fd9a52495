package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Bearer-token authentication ({@code gateway.auth}): the request passes when it carries
 * {@code Authorization: Bearer <token>} with one of the configured tokens, or, when
 * {@code allowQueryToken} (WebSocket upgrades: browsers cannot set headers on them),
 * {@code ?access_token=<token>}. Otherwise 401 with {@code WWW-Authenticate: Bearer}. Tokens are
 * compared in constant time. Immutable; thread-safe.
 */
public final class TokenAuthHandler implements Handler<RoutingContext> {

  private final List<byte[]> tokens;
  private final boolean allowQueryToken;

  public TokenAuthHandler(List<String> tokens, boolean allowQueryToken) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    this.allowQueryToken = allowQueryToken;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String presented = null;
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = header.substring(7).trim();
    } else if (allowQueryToken) {
      presented = ctx.request().getParam("access_token");
    }
    if (presented != null && known(presented.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"telemetry\"");
    TelemetryApi.fail(ctx, new ApiException(401, presented == null ? "missing bearer token" : "unknown bearer token"));
  }

  private boolean known(byte[] presented) {
    boolean found = false;
    for (byte[] t : tokens) {
      found |= MessageDigest.isEqual(t, presented);
    }
    return found;
  }
}
