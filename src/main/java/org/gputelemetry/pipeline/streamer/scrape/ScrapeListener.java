package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import java.util.Set;

/** What {@link ScrapeTargets} reports, on its Vert.x context, one call at a time. */
public interface ScrapeListener {

  /** A successful scrape: hand its samples on. */
  void scraped(ScrapeResult result);

  /** A failed scrape; the target is retried with backoff. */
  default void failed(ScrapeTarget target, ScrapeException error) {
  }

  /** GPUs that were in this target's previous scrape and are not now (or the target went down). */
  default void gpusStale(ScrapeTarget target, Set<String> uuids) {
  }
}
