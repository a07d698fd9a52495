package org.gputelemetry.pipeline.store.memory;

import java.util.Arrays;

/**
 * Walks one series' points inside an inclusive window, oldest first or newest first, decoding a
 * closed chunk only when the walk reaches it. Used under the GPU's lock, within one query.
 */
final class SeriesCursor {

  final MetricSeries series;
  /** The series' rank in (metric name, label set) order among those the query merges. */
  final int rank;
  final String name;
  final String labelsText;
  private final ClosedChunks chunks;
  private final boolean descending;
  private final long lo;
  private final long hi;
  private int segment; // a chunk's index, or chunks.size() for the head
  private long[] segTs;
  private double[] segValues;
  private ClosedChunks.Decoded decoded; // null while in the head
  private int segSize;
  private int pos;
  long ts;
  double value;
  int context;

  SeriesCursor(MetricSeries series, int rank, String name, String labelsText, long lo, long hi, boolean descending) {
    this.series = series;
    this.rank = rank;
    this.name = name;
    this.labelsText = labelsText;
    this.chunks = series.chunks();
    this.lo = lo;
    this.hi = hi;
    this.descending = descending;
    segment = chunks.lowerBound(descending ? hi : lo);
    load(segment);
    if (descending) {
      int at = Arrays.binarySearch(segTs, 0, segSize, hi);
      pos = at >= 0 ? at : -at - 2;
    } else {
      int at = Arrays.binarySearch(segTs, 0, segSize, lo);
      pos = at >= 0 ? at : -at - 1;
    }
  }

  private void load(int seg) {
    if (seg < chunks.size()) {
      decoded = chunks.points(seg);
      segTs = decoded.ts();
      segValues = decoded.values();
      segSize = decoded.size();
    } else {
      decoded = null;
      segTs = series.headTimestamps();
      segValues = series.headValues();
      segSize = series.headSize();
    }
  }

  /** Moves to the next point in the walk's order; false once past the window. */
  boolean next() {
    return descending ? previousPoint() : nextPoint();
  }

  private boolean nextPoint() {
    while (pos >= segSize) {
      if (segment >= chunks.size()) {
        return false;
      }
      load(++segment);
      pos = 0;
    }
    if (segTs[pos] > hi) {
      return false;
    }
    take(pos++);
    return true;
  }

  private boolean previousPoint() {
    while (pos < 0) {
      if (segment == 0) {
        return false;
      }
      load(--segment);
      pos = segSize - 1;
    }
    if (segTs[pos] < lo) {
      return false;
    }
    take(pos--);
    return true;
  }

  private void take(int i) {
    ts = segTs[i];
    value = segValues[i];
    context = decoded == null ? series.headContexts()[i] : decoded.contextAt(i);
  }
}
