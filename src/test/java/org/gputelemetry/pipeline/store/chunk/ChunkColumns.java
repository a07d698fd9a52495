package org.gputelemetry.pipeline.store.chunk;

/** What each column of a chunk costs, for benchmarks that compare the format's parts with alternatives. */
public final class ChunkColumns {

  private ChunkColumns() {
  }

  /** Bits the timestamp column (header and data) of {@code ts[0..n)} takes in the Gorilla format. */
  public static long timestampBits(long[] ts, int n) {
    BitWriter w = new BitWriter(16 + n * 2);
    TimestampColumn.Header h = TimestampColumn.plan(ts, n);
    TimestampColumn.writeHeader(w, h);
    TimestampColumn.writeData(w, h);
    return w.bitsWritten();
  }
}
