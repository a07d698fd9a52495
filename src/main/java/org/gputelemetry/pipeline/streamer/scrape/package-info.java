/**
 * Scraping dcgm-exporter's {@code /metrics} endpoints (Prometheus text format 0.0.4 and
 * OpenMetrics 1.0) into {@link org.gputelemetry.pipeline.streamer.scrape.ScrapedSample}s.
 *
 * <p>{@link org.gputelemetry.pipeline.streamer.scrape.ExpositionParser} parses a response body;
 * {@link org.gputelemetry.pipeline.streamer.scrape.DcgmExporterMapping} turns its series into GPU
 * samples; {@link org.gputelemetry.pipeline.streamer.scrape.TargetScraper} fetches one target over
 * HTTP; {@link org.gputelemetry.pipeline.streamer.scrape.ScrapeTargets} schedules many targets with
 * a concurrency cap and backoff and keeps their health and GPU staleness. A line or series that
 * cannot be used is counted by {@link org.gputelemetry.pipeline.streamer.scrape.ScrapeRejectReason}
 * and skipped; the rest of the scrape is kept.
 */
package org.gputelemetry.pipeline.streamer.scrape;
