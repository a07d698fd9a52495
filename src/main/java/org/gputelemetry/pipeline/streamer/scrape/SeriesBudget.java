package org.gputelemetry.pipeline.streamer.scrape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One target's series budget: at most {@code max} distinct series (GPU, metric, labels) seen in
 * the last {@code forgetAfter}. A sample of a known series always passes; one of a new series
 * passes while the budget has room, else it is dropped and counted as
 * {@link ScrapeRejectReason#SERIES_LIMIT}. Series not seen for {@code forgetAfter} give their room
 * back. Memory is bounded by {@code max} entries whatever the target sends.
 *
 * <p>A series is remembered by a 64-bit hash of its identity, not its text: the budget costs 16
 * bytes per entry plus the map's, and a collision only lets two series share one entry. Not
 * thread-safe: used on the scheduling context of {@link ScrapeTargets}.
 */
final class SeriesBudget {

  private final int max;
  private final long forgetMicros;
  private final Map<Long, long[]> lastSeen = new HashMap<>();
  private long nextSweepMicros = Long.MIN_VALUE;

  SeriesBudget(int max, long forgetMicros) {
    this.max = max;
    this.forgetMicros = forgetMicros;
  }

  int size() {
    return lastSeen.size();
  }

  /** The samples of {@code r} within budget ({@code r} itself when all are), the others counted in its rejects. */
  ScrapeResult admit(ScrapeResult r) {
    long now = r.startedMicros();
    if (lastSeen.size() >= max || now >= nextSweepMicros) {
      sweep(now);
    }
    List<ScrapedSample> kept = null;
    List<ScrapedSample> samples = r.samples();
    for (int i = 0; i < samples.size(); i++) {
      ScrapedSample s = samples.get(i);
      Long key = key(s);
      long[] seen = lastSeen.get(key);
      boolean admitted = true;
      if (seen != null) {
        seen[0] = now;
      } else if (lastSeen.size() < max) {
        lastSeen.put(key, new long[] {now});
      } else {
        admitted = false;
        r.rejects().add(ScrapeRejectReason.SERIES_LIMIT, 0, s.metric() + s.labels());
      }
      if (!admitted && kept == null) {
        kept = new ArrayList<>(samples.subList(0, i));
      } else if (admitted && kept != null) {
        kept.add(s);
      }
    }
    return kept == null ? r : new ScrapeResult(r.target(), List.copyOf(kept), r.rejects(), r.format(),
        r.startedMicros(), r.durationNanos(), r.bodyBytes(), r.gpuUuids());
  }

  /** Forgets series not seen for forgetAfter; runs at most every tenth of it unless the budget is full. */
  private void sweep(long now) {
    long cutoff = now - forgetMicros;
    for (Iterator<long[]> it = lastSeen.values().iterator(); it.hasNext(); ) {
      if (it.next()[0] < cutoff) {
        it.remove();
      }
    }
    nextSweepMicros = now + Math.max(1, forgetMicros / 10);
  }

  private static Long key(ScrapedSample s) {
    long h = s.gpu().uuid().hashCode();
    h = h * 0x9E3779B97F4A7C15L + s.metric().hashCode();
    h = h * 0x9E3779B97F4A7C15L + (s.labels().isEmpty() ? 0 : s.labels().hashCode());
    return h ^ (h >>> 29);
  }
}
