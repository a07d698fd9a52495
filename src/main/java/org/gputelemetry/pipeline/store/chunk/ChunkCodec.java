package org.gputelemetry.pipeline.store.chunk;

/**
 * One series' points (epoch-microsecond timestamps, ascending, and values) as bytes: the
 * {@code data} column of PostgreSQL's {@code sample_chunks} and the embedded store's closed
 * chunks. The one entry point to the byte formats (docs/chunks.md): chunks are written in
 * {@link GorillaFormat} (first byte {@code 0xC2}); chunks written by earlier releases in
 * {@link DeflateFormat} (a zlib stream, first byte {@code 0x78}) are still read. Every double
 * round-trips bit for bit. Stateless and thread-safe.
 */
public final class ChunkCodec {

  /** The most points one chunk may hold (an hour at over 4 kHz); decoding refuses more. */
  public static final int MAX_POINTS = 1 << 24;

  /** Decoded points, timestamps ascending. */
  public record Points(long[] ts, double[] values) {
    public int size() {
      return ts.length;
    }
  }

  private ChunkCodec() {
  }

  /**
   * The first {@code n} points of {@code ts} and {@code values}.
   *
   * @throws IllegalArgumentException when {@code n} is negative, longer than either array or over
   *     {@link #MAX_POINTS}
   */
  public static byte[] encode(long[] ts, double[] values, int n) {
    if (n < 0 || n > ts.length || n > values.length || n > MAX_POINTS) {
      throw new IllegalArgumentException("cannot encode " + n + " points from arrays of " + ts.length + " timestamps and "
          + values.length + " values (at most " + MAX_POINTS + ")");
    }
    return GorillaFormat.encode(ts, values, n);
  }

  /**
   * The points of a chunk in either format.
   *
   * @throws IllegalStateException ("corrupt sample chunk: ...") for bytes that are not a chunk;
   *     never another exception, and never an allocation out of proportion to {@code data}
   */
  public static Points decode(byte[] data) {
    if (data.length == 0) {
      throw Corrupt.of("empty");
    }
    int format = data[0] & 0xFF;
    if (format == GorillaFormat.TAG) {
      return GorillaFormat.decode(data);
    }
    if (format == DeflateFormat.ZLIB_HEADER) {
      return DeflateFormat.decode(data);
    }
    throw Corrupt.of("unknown format byte 0x" + Integer.toHexString(format));
  }
}
