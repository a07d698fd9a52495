package org.gputelemetry.pipeline.testutil;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values out of a Prometheus text exposition (as {@code /metrics} serves it). */
public final class PrometheusText {

  private PrometheusText() {
  }

  /** Whether a sample line of metric {@code name} (with or without labels) is present. */
  public static boolean has(String text, String name) {
    return Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ").matcher(text).find();
  }

  /** The sum of every series of metric {@code name} whose labels contain {@code labelFragment} (may be empty). */
  public static double sum(String text, String name, String labelFragment) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)").matcher(text);
    double total = 0;
    boolean found = false;
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      if (labels.contains(labelFragment)) {
        total += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    if (!found) {
      throw new AssertionError("no series " + name + " with labels containing '" + labelFragment + "'");
    }
    return total;
  }

  public static double sum(String text, String name) {
    return sum(text, name, "");
  }
}
