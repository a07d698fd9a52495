package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks the request's path and query before any route sees them: every percent-escape well
 * formed, the decoded bytes valid UTF-8, and no control character (NUL and the like, which no
 * store holds). A request that fails gets a 400 naming the parameter (or the path), so a client
 * mistake never reaches the store and never comes back as a 5xx. Stateless; thread-safe.
 */
final class RequestText implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.request().path();
    String problem = path == null ? null : problem(path, false);
    if (problem != null) {
      throw new ApiException(400, "request path: " + problem);
    }
    String query = ctx.request().query();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String rawName = eq < 0 ? pair : pair.substring(0, eq);
        String nameProblem = problem(rawName, true);
        if (nameProblem != null) {
          throw new ApiException(400, "query parameter name '" + ApiException.clip(rawName) + "': " + nameProblem);
        }
        if (eq >= 0) {
          String valueProblem = problem(pair.substring(eq + 1), true);
          if (valueProblem != null) {
            throw ApiException.badParameter(decode(rawName, true), valueProblem);
          }
        }
      }
    }
    ctx.next();
  }

  /** What is wrong with the raw (still percent-encoded) text, or {@code null} when nothing is. */
  static String problem(String raw, boolean query) {
    if (plainPrintableAscii(raw)) {
      return null; // nearly every request: nothing to decode, so no decoder and no copies on the hot path
    }
    String decoded;
    try {
      decoded = decode(raw, query);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
        return String.format("control character U+%04X is not allowed", (int) c);
      }
    }
    return null;
  }

  /** True when {@code raw} has no escape and only printable ASCII: it decodes to itself and is fine. */
  private static boolean plainPrintableAscii(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '%') {
        return false;
      }
    }
    return true;
  }

  /**
   * Strict percent-decoding to UTF-8 ({@code +} is a space in a query).
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  static String decode(String raw, boolean query) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          String escape = raw.substring(i, Math.min(raw.length(), i + 3));
          throw new IllegalArgumentException("malformed percent-encoding '" + escape + "' (expected % and two hex digits)");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && query) {
        bytes.write(' ');
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the percent-decoded bytes are not valid UTF-8");
    }
  }
}
