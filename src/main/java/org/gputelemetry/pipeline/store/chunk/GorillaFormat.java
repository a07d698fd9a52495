package org.gputelemetry.pipeline.store.chunk;

/**
 * The chunk format written since the Gorilla codec: a format byte {@code 0xC2}, then one bit
 * stream: varint point count; the {@link TimestampColumn}'s header; 1 bit value form (0
 * {@link XorValues}, 1 {@link ScaledValues}) and the scaled values' header; the timestamps' data;
 * the values' data; zero bits to the byte boundary.
 *
 * <p>Hand-written: no well-kept JVM library implements Gorilla-style chunks. Prometheus's and
 * VictoriaMetrics' codecs are Go; the one Java port on Maven Central
 * ({@code fi.iki.yak:compression-gorilla}, burmanm/gorilla-tsc) was last updated in January 2021,
 * and neither it nor the paper has a form for scaled decimals, which is what DCGM values are.
 *
 * <p>Decoding bounds what it allocates: the count is at most {@link ChunkCodec#MAX_POINTS}, and
 * the headers come before the data so the decoder knows, before allocating, the fewest bits a
 * point costs (at least one: the encoder never makes both columns free) and refuses a count the
 * bytes left cannot hold.
 */
final class GorillaFormat {

  static final int TAG = 0xC2;

  private GorillaFormat() {
  }

  static byte[] encode(long[] ts, double[] values, int n) {
    BitWriter w = new BitWriter(16 + n * 2);
    w.write(TAG, 8);
    w.writeVarint(n);
    if (n == 0) {
      return w.toByteArray();
    }
    TimestampColumn.Header time = TimestampColumn.plan(ts, n);
    // regular timestamps cost nothing, so the values must cost a bit (XOR always does)
    ScaledValues.Plan scaled = ScaledValues.plan(values, n, time.minBits() > 0);
    boolean useScaled = scaled != null && scaled.bits() < XorValues.cost(values, n);
    TimestampColumn.writeHeader(w, time);
    w.writeBit(useScaled);
    if (useScaled) {
      ScaledValues.writeHeader(w, scaled);
    }
    TimestampColumn.writeData(w, time);
    if (useScaled) {
      ScaledValues.writeData(w, scaled);
    } else {
      XorValues.write(w, values, n);
    }
    return w.toByteArray();
  }

  static ChunkCodec.Points decode(byte[] data) {
    BitReader r = new BitReader(data, 1);
    long n = r.readVarint();
    if (n < 0 || n > ChunkCodec.MAX_POINTS) {
      throw Corrupt.of(Long.toUnsignedString(n) + " points");
    }
    if (n == 0) {
      return finish(r, new long[0], new double[0]);
    }
    TimestampColumn.Header time = TimestampColumn.readHeader(r, (int) n);
    ScaledValues.Plan scaled = r.readBit() ? ScaledValues.readHeader(r) : null;
    int minBits = time.minBits() + (scaled == null ? 1 : scaled.minBits());
    if (n > 1 && (minBits == 0 || n - 1 > r.remainingBits() / minBits)) {
      throw Corrupt.of(n + " points in " + data.length + " bytes");
    }
    long[] ts = TimestampColumn.readData(r, time, (int) n);
    double[] values = scaled == null ? XorValues.read(r, (int) n) : ScaledValues.readData(r, scaled, (int) n);
    return finish(r, ts, values);
  }

  private static ChunkCodec.Points finish(BitReader r, long[] ts, double[] values) {
    if (r.remainingBits() >= 8) {
      throw Corrupt.of(r.remainingBits() / 8 + " bytes after the last point");
    }
    return new ChunkCodec.Points(ts, values);
  }
}
