package org.gputelemetry.pipeline.store.postgres;

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
 * The {@code data} column of a {@code sample_chunks} row: a series' timestamps (epoch
 * microseconds, ascending) and values. The one place that knows the byte format, so the
 * project's chunk codec (package {@code store.chunk}, Gorilla timestamps and values) replaces it
 * here alone; until then the points are packed and deflated by the JDK.
 */
final class ChunkPayload {

  /** Decoded points, timestamps ascending. */
  record Points(long[] ts, double[] values) {
    int size() {
      return ts.length;
    }
  }

  private ChunkPayload() {
  }

  static byte[] encode(long[] ts, double[] values, int n) {
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

  static Points decode(byte[] data) {
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
