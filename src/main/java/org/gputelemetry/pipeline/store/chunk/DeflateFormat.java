package org.gputelemetry.pipeline.store.chunk;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * The chunk format written before the Gorilla codec, which databases compacted by earlier releases
 * still hold: a zlib stream (first byte {@code 0x78}, no format byte) of a big-endian int count,
 * the timestamps' deltas as longs, then the values as doubles. {@link ChunkCodec} only decodes it;
 * {@link #encode} is kept so tests can write chunks exactly as those releases did.
 *
 * <p>Decoding inflates into a buffer that grows only as the stream produces bytes and stops at
 * the size {@link ChunkCodec#MAX_POINTS} points would take or at deflate's largest ratio to the
 * input, so a deflate bomb cannot exhaust the heap; the count must then match the inflated length
 * exactly.
 */
public final class DeflateFormat {

  static final int ZLIB_HEADER = 0x78;
  private static final long MAX_INFLATED = 4 + 16L * ChunkCodec.MAX_POINTS;
  /** Deflate expands at most 1032:1 (258-byte matches in 2-bit codes), so no real chunk inflates further. */
  private static final int MAX_RATIO = 1032;

  private DeflateFormat() {
  }

  /** The legacy encoding of the first {@code n} points, byte for byte what earlier releases stored. */
  public static byte[] encode(long[] ts, double[] values, int n) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(n * 4 + 16);
    try (DataOutputStream out = new DataOutputStream(
        new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_SPEED), 4096))) {
      out.writeInt(n);
      long prev = 0;
      for (int i = 0; i < n; i++) {
        out.writeLong(ts[i] - prev);
        prev = ts[i];
      }
      for (int i = 0; i < n; i++) {
        out.writeDouble(values[i]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static ChunkCodec.Points decode(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(inflate(data));
    if (in.remaining() < 4) {
      throw Corrupt.of("legacy chunk of " + in.remaining() + " inflated bytes");
    }
    int n = in.getInt();
    if (n < 0 || in.remaining() != 16L * n) {
      throw Corrupt.of("legacy chunk of " + n + " points in " + (in.remaining() + 4) + " inflated bytes");
    }
    long[] ts = new long[n];
    double[] values = new double[n];
    long prev = 0;
    for (int i = 0; i < n; i++) {
      prev += in.getLong();
      ts[i] = prev;
    }
    for (int i = 0; i < n; i++) {
      values[i] = in.getDouble();
    }
    return new ChunkCodec.Points(ts, values);
  }

  private static byte[] inflate(byte[] data) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data);
      long limit = Math.min(MAX_INFLATED, (long) MAX_RATIO * data.length + 64);
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(data.length * 8, 1 << 20));
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int got = inflater.inflate(buf);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw Corrupt.of("legacy chunk's zlib stream ends early");
        }
        out.write(buf, 0, got);
        if (out.size() > limit) {
          throw Corrupt.of("legacy chunk inflates past " + limit + " bytes");
        }
      }
      if (inflater.getRemaining() > 0) {
        throw Corrupt.of(inflater.getRemaining() + " bytes after the legacy chunk's zlib stream");
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw Corrupt.of("legacy chunk: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }
}
