package org.gputelemetry.pipeline.streamer.scrape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts of skipped lines and series of one scrape, by reason, with the first few examples for
 * logs. Not thread-safe: one per scrape, filled on the parsing thread, read after.
 */
public final class ScrapeRejects {

  /** How many examples are kept; the counts are exact. */
  public static final int MAX_EXAMPLES = 10;
  private static final int EXCERPT_CHARS = 120;

  /** One example: where, why, and the start of the line. */
  public record Example(int line, ScrapeRejectReason reason, String excerpt) {
  }

  private final int[] counts = new int[ScrapeRejectReason.values().length];
  private final List<Example> examples = new ArrayList<>(2);
  private int total;

  void add(ScrapeRejectReason reason, int line, String excerpt) {
    counts[reason.ordinal()]++;
    total++;
    if (examples.size() < MAX_EXAMPLES) {
      String e = excerpt.length() > EXCERPT_CHARS ? excerpt.substring(0, EXCERPT_CHARS) + "..." : excerpt;
      examples.add(new Example(line, reason, e));
    }
  }

  /** Counts a series a {@link SeriesSink} cannot use. */
  public void reject(ScrapeRejectReason reason, ParsedSeries series) {
    add(reason, series.lineNumber(), series.name());
  }

  public int total() {
    return total;
  }

  public int count(ScrapeRejectReason reason) {
    return counts[reason.ordinal()];
  }

  /** Non-zero counts only. */
  public Map<ScrapeRejectReason, Integer> counts() {
    Map<ScrapeRejectReason, Integer> out = new EnumMap<>(ScrapeRejectReason.class);
    for (ScrapeRejectReason r : ScrapeRejectReason.values()) {
      if (counts[r.ordinal()] > 0) {
        out.put(r, counts[r.ordinal()]);
      }
    }
    return out;
  }

  public List<Example> examples() {
    return Collections.unmodifiableList(examples);
  }

  @Override
  public String toString() {
    return "ScrapeRejects" + counts();
  }
}
