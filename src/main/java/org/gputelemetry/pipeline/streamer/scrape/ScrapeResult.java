package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import java.util.List;
import java.util.Set;

/**
 * One successful scrape of one target. Immutable.
 *
 * @param startedMicros when the request was sent; samples without an exporter timestamp carry it
 * @param durationNanos request sent to body parsed
 * @param bodyBytes the (decompressed) body's size
 * @param gpuUuids the GPUs and MIG instances with at least one sample in this scrape
 */
public record ScrapeResult(ScrapeTarget target, List<ScrapedSample> samples, ScrapeRejects rejects,
                           ExpositionFormat format, long startedMicros, long durationNanos, int bodyBytes,
                           Set<String> gpuUuids) {
}
