package org.gputelemetry.pipeline.store.chunk;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * One series' points (epoch-microsecond timestamps, ascending, and values) as bytes: the
 * {@code data} column of PostgreSQL's {@code sample_chunks} and the embedded store's closed
 * chunks. The one place that knows the byte format. Until the Gorilla codec lands the points are
 * packed and deflated by the JDK.
 */
public final class ChunkCodec {

  /** Decoded points, timestamps ascending. */
  public record Points(long[] ts, double[] values) {
    public int size() {
      return ts.length;
    }
  }

  private ChunkCodec() {
  }

  /** The first {@code n} points of {@code ts} and {@code values}. */
  public static byte[] encode(long[] ts, double[] values, int n) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(n * 4 + 16);
    try (DataOutputStream out = new DataOutputStream(
        new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_SPEED), 4096))) {
      out.writeInt(n);
      long prev = 0;
      for (int i = 0; i < n; i++) {
        out.writeLong(ts[i] - prev); // small deltas deflate far better than absolute times
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

  public static Points decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(data)))) {
      int n = in.readInt();
      if (n < 0 || n > 100_000_000) {
        throw new IllegalStateException("corrupt sample chunk: " + n + " points");
      }
      long[] ts = new long[n];
      double[] values = new double[n];
      long prev = 0;
      for (int i = 0; i < n; i++) {
        prev += in.readLong();
        ts[i] = prev;
      }
      for (int i = 0; i < n; i++) {
        values[i] = in.readDouble();
      }
      return new Points(ts, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
