package org.gputelemetry.pipeline.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics table of docs/operations.md against what a Prometheus registry scrapes from
 * {@link PipelineMetrics}: every metric family documented with its type and labels, no stale rows,
 * and every name in {@link MetricNames} behind at least one documented family.
 */
class MetricNamesReadmeTest {

  private static final Path DOC = Path.of("docs/operations.md");
  private static final String SECTION = "\n## Prometheus metrics";

  /** A metric family as scraped: its type and the label names of its series (bar {@code le}). */
  private record Family(String type, Set<String> labels) {
  }

  /** The families a registry holding every pipeline meter scrapes, by name. */
  private static Map<String, Family> scraped() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PipelineMetrics metrics = new PipelineMetrics(registry);
    // the meters registered by the roles as they start
    metrics.rowsRejected("bad_value", () -> 0);
    metrics.queueDepth("collector", () -> 0);
    metrics.connectionStatus("local", "collector", "local", () -> true);
    metrics.crossClusterLatency("edge", "central", () -> 0.01);
    metrics.websocketClients(() -> 0);
    metrics.gpusStale(() -> 0);
    metrics.spool(() -> 0, () -> 0);
    metrics.memoryStore(() -> 0, () -> 0, () -> 0);
    metrics.redisBacklog(() -> 0);
    metrics.redisDeadLettered("undecodable");
    metrics.scrapeTargetUp("http://127.0.0.1:9400/metrics", () -> 1);
    metrics.scrapeRejected("no_gpu_uuid");
    metrics.checkpointDuration("write");
    metrics.checkpointFailures("write");
    metrics.checkpointState(() -> 0, () -> 0, () -> 0);
    String text = registry.scrape();
    Map<String, Family> families = new TreeMap<>();
    Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
    while (type.find()) {
      families.put(type.group(1), new Family(type.group(2), new TreeSet<>()));
    }
    Matcher sample = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})? ").matcher(text);
    while (sample.find()) {
      Family f = familyOf(families, sample.group(1));
      if (sample.group(2) != null) {
        for (String pair : sample.group(2).split(",")) {
          String label = pair.substring(0, pair.indexOf('='));
          if (!label.equals("le")) {
            f.labels().add(label);
          }
        }
      }
    }
    return families;
  }

  /** The family a sample line belongs to: its own name, or a histogram's with a series suffix. */
  private static Family familyOf(Map<String, Family> families, String sample) {
    if (families.containsKey(sample)) {
      return families.get(sample);
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (sample.endsWith(suffix)) {
        Family f = families.get(sample.substring(0, sample.length() - suffix.length()));
        if (f != null && f.type().equals("histogram")) {
          return f;
        }
      }
    }
    throw new AssertionError("sample " + sample + " belongs to no scraped family");
  }

  /** The rows of the documented metrics table: name -> [type, labels cell]. */
  private static Map<String, String[]> documented() throws IOException {
    String doc = Files.readString(DOC);
    int start = doc.indexOf(SECTION);
    assertTrue(start >= 0, DOC + " has no '" + SECTION.strip() + "' section");
    int end = doc.indexOf("\n#", start + SECTION.length());
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    Map<String, String[]> rows = new TreeMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\| ([a-z]+) \\| ([^|]*) \\|").matcher(section);
    while (row.find()) {
      String[] previous = rows.put(row.group(1), new String[] {row.group(2), row.group(3).trim()});
      assertEquals(null, previous, "documented twice: " + row.group(1));
    }
    assertFalse(rows.isEmpty(), "no metric rows in the '" + SECTION.strip() + "' section of " + DOC);
    return rows;
  }

  private static Set<String> labelsCell(String cell) {
    Set<String> labels = new TreeSet<>();
    Matcher m = Pattern.compile("`([a-z_]+)`").matcher(cell);
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  @Test
  void readmeMetricsTableMatchesWhatIsScraped() throws IOException {
    Map<String, Family> scraped = scraped();
    Map<String, String[]> documented = documented();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Family> e : scraped.entrySet()) {
      String[] doc = documented.get(e.getKey());
      if (doc == null) {
        problems.add(e.getKey() + " (" + e.getValue().type() + ") is scraped but not in " + DOC);
        continue;
      }
      if (!doc[0].equals(e.getValue().type())) {
        problems.add(e.getKey() + ": " + DOC + " says " + doc[0] + ", scraped as " + e.getValue().type());
      }
      if (!labelsCell(doc[1]).equals(e.getValue().labels())) {
        problems.add(e.getKey() + ": " + DOC + " labels " + labelsCell(doc[1]) + ", scraped " + e.getValue().labels());
      }
    }
    for (String name : documented.keySet()) {
      if (!scraped.containsKey(name)) {
        problems.add(name + " is in " + DOC + " but no pipeline meter scrapes as it");
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** Each name in MetricNames is scraped (as itself, a counter's {@code _total}, a timer's {@code _seconds}) and documented. */
  @Test
  void everyMetricNameIsScrapedAndDocumented() throws Exception {
    Set<String> scraped = scraped().keySet();
    Set<String> documented = documented().keySet();
    for (Field f : MetricNames.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        String base = ((String) f.get(null)).replace('.', '_');
        List<String> forms = List.of(base, base + "_total", base + "_seconds").stream()
            .filter(scraped::contains).toList();
        assertEquals(1, forms.size(), "MetricNames." + f.getName() + " scrapes as " + forms);
        assertTrue(documented.contains(forms.get(0)),
            "MetricNames." + f.getName() + " (" + forms.get(0) + ") is not in the metrics table of " + DOC);
      }
    }
  }
}
