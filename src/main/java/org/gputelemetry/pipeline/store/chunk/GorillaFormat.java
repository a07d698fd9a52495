package org.gputelemetry.pipeline.store.chunk;

/**
 * The chunk format written since the Gorilla codec: a format byte {@code 0xC2}, then one bit
 * stream: varint point count, the {@link TimestampColumn}, 1 bit value form (0 {@link XorValues},
 * 1 {@link ScaledValues}) and the values, zero bits to the byte boundary.
 *
 * <p>Hand-written: no maintained JVM library implements Gorilla-style chunks (Prometheus's and
 * VictoriaMetrics' codecs are Go; the Java ports found are unmaintained and have no scaled-decimal
 * form, which is what DCGM values need).
 *
 * <p>Decoding bounds what it allocates: the count is at most {@link ChunkCodec#MAX_POINTS} and,
 * since every timestamp after the first costs at least one bit, at most one more than the bits
 * left after it.
 */
final class GorillaFormat {

  static final int TAG = 0xC2;

  private GorillaFormat() {
  }

  static byte[] encode(long[] ts, double[] values, int n) {
    BitWriter w = new BitWriter(16 + n * 2);
    w.write(TAG, 8);
    w.writeVarint(n);
    if (n > 0) {
      TimestampColumn.write(w, ts, n);
      ScaledValues.Plan scaled = ScaledValues.plan(values, n);
      boolean useScaled = scaled != null && scaled.bits() < XorValues.cost(values, n);
      w.writeBit(useScaled);
      if (useScaled) {
        ScaledValues.write(w, scaled);
      } else {
        XorValues.write(w, values, n);
      }
    }
    return w.toByteArray();
  }

  static ChunkCodec.Points decode(byte[] data) {
    BitReader r = new BitReader(data, 1);
    long n = r.readVarint();
    if (n < 0 || n > ChunkCodec.MAX_POINTS || n - 1 > r.remainingBits()) {
      throw Corrupt.of(Long.toUnsignedString(n) + " points in " + data.length + " bytes");
    }
    if (n == 0) {
      return finish(r, new long[0], new double[0]);
    }
    long[] ts = TimestampColumn.read(r, (int) n);
    double[] values = r.readBit() ? ScaledValues.read(r, (int) n) : XorValues.read(r, (int) n);
    return finish(r, ts, values);
  }

  private static ChunkCodec.Points finish(BitReader r, long[] ts, double[] values) {
    if (r.remainingBits() >= 8) {
      throw Corrupt.of(r.remainingBits() / 8 + " bytes after the last point");
    }
    return new ChunkCodec.Points(ts, values);
  }
}
