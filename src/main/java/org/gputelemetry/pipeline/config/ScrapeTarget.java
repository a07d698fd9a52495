package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One dcgm-exporter endpoint to scrape.
 *
 * @param url absolute {@code http} or {@code https} URL, e.g. {@code http://10.0.3.7:9400/metrics}
 * @param hostname replaces the exporter's {@code Hostname} label (often its pod's name), or null
 */
public record ScrapeTarget(String url, String hostname) {

  /** {@code HOSTNAME=URL}: the host name holds no {@code =}, {@code :}, {@code /} or space (every URL holds {@code :}). */
  private static final Pattern NAMED = Pattern.compile("([^=:/\\s]+)=(.+)");

  public ScrapeTarget {
    Objects.requireNonNull(url, "url");
    if (hostname != null && hostname.isBlank()) {
      hostname = null;
    }
  }

  /**
   * Reads {@code streamer.source.targets}: each element a URL string, a string
   * {@code HOSTNAME=URL} (see {@link #fromString}) or an object {@code {"url": ..., "hostname": ...}}.
   * Duplicate URLs are an error (a target would be scraped twice).
   *
   * @param key the configuration key, for error messages
   * @throws IllegalArgumentException naming {@code key} and the element
   */
  public static List<ScrapeTarget> listFromJson(JsonArray array, String key) {
    List<ScrapeTarget> out = new ArrayList<>();
    Set<String> urls = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String at = key + "[" + i + "]";
      Object item = array.getValue(i);
      ScrapeTarget t;
      if (item instanceof String s) {
        t = fromString(s, at);
      } else if (item instanceof JsonObject o) {
        for (String field : o.fieldNames()) {
          if (!field.equals("url") && !field.equals("hostname")) {
            throw invalid(at + "." + field, "unknown key; a target has 'url' and 'hostname'");
          }
        }
        if (!(o.getValue("url") instanceof String u)) {
          throw invalid(at + ".url", "must be a URL string");
        }
        Object h = o.getValue("hostname");
        if (h != null && !(h instanceof String)) {
          throw invalid(at + ".hostname", "must be a string");
        }
        t = new ScrapeTarget(validUrl(u, at + ".url"), (String) h);
      } else {
        throw invalid(at, "must be a URL string or an object {\"url\": ..., \"hostname\": ...}");
      }
      if (!urls.add(t.url())) {
        throw invalid(at, "duplicate target '" + t.url() + "'");
      }
      out.add(t);
    }
    return List.copyOf(out);
  }

  /**
   * One target written as text: a URL ({@code http://10.0.3.7:9400/metrics}) or {@code HOSTNAME=URL}
   * ({@code gpu-node-7=http://10.0.3.7:9400/metrics}), the form an environment variable can carry
   * (the Helm DaemonSet sets {@code STREAMER_SOURCE_TARGETS=$(NODE_NAME)=http://$(HOST_IP):9400/metrics}).
   * The host name comes first because a URL may hold {@code =} in its query, a host name never
   * holds {@code :} or {@code /}, and a URL always does: the two forms cannot be confused.
   *
   * @param key the configuration key, for error messages
   * @throws IllegalArgumentException naming {@code key}
   */
  public static ScrapeTarget fromString(String text, String key) {
    Matcher named = NAMED.matcher(text.trim());
    if (named.matches()) {
      return new ScrapeTarget(validUrl(named.group(2), key), named.group(1));
    }
    return new ScrapeTarget(validUrl(text, key), null);
  }

  private static String validUrl(String text, String key) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw invalid(key, "must be an http:// or https:// URL, got '" + text + "'");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw invalid(key, "must name a host, got '" + text + "'");
      }
      return uri.toString();
    } catch (URISyntaxException e) {
      throw invalid(key, "is not a URL: " + e.getMessage());
    }
  }

  private static IllegalArgumentException invalid(String key, String message) {
    return new IllegalArgumentException("invalid configuration '" + key + "': " + message);
  }
}
