package org.gputelemetry.pipeline.streamer.scrape;

/** Receives each series the parser accepted, in body order, on the parsing thread. */
@FunctionalInterface
public interface SeriesSink {

  /**
   * One accepted series. {@code series} is reused for the next line: copy what you keep.
   *
   * @param rejects where the sink counts a series it cannot use
   */
  void accept(ParsedSeries series, ScrapeRejects rejects);
}
