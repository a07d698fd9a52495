package org.gputelemetry.pipeline.streamer.scrape;

/**
 * Bounds the parser holds a peer's body to: a longer line or a series with more labels is
 * rejected, not buffered.
 *
 * @param maxLineLength bytes per line, without the line ending
 * @param maxLabels labels per series
 */
public record ExpositionLimits(int maxLineLength, int maxLabels) {

  /** 64 KiB lines, 64 labels: dcgm-exporter's lines are about 300 bytes with about 12 labels. */
  public static final ExpositionLimits DEFAULT = new ExpositionLimits(64 * 1024, 64);

  public ExpositionLimits {
    if (maxLineLength < 16) {
      throw new IllegalArgumentException("maxLineLength must be at least 16, got " + maxLineLength);
    }
    if (maxLabels < 1) {
      throw new IllegalArgumentException("maxLabels must be at least 1, got " + maxLabels);
    }
  }
}
