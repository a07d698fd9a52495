package org.gputelemetry.pipeline.store.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Chunks written by releases before the Gorilla codec still decode through {@link ChunkCodec}. */
class DeflateFormatTest {

  /** Written by {@code ChunkCodec.encode} of commit c996340 (the deflate release) for (T0, 39.5), (T0 + 10 s, 40), (T0 + 20 s, NaN). */
  private static final String PREVIOUS_RELEASE = "7801636060606660b3b2d24a496a60008119d3e0b483f301900883830b9862a8ff01a101e7500888";
  private static final long T0 = 1_752_871_354_000_000L;

  @Test
  void aChunkWrittenByThePreviousReleaseDecodes() {
    ChunkCodec.Points points = ChunkCodec.decode(HexFormat.of().parseHex(PREVIOUS_RELEASE));
    assertArrayEquals(new long[] {T0, T0 + 10_000_000, T0 + 20_000_000}, points.ts());
    assertArrayEquals(new double[] {39.5, 40, Double.NaN}, points.values());
  }

  @Test
  void theKeptEncoderWritesWhatThePreviousReleaseWrote() {
    byte[] bytes = DeflateFormat.encode(new long[] {T0, T0 + 10_000_000, T0 + 20_000_000}, new double[] {39.5, 40, Double.NaN}, 3);
    assertEquals(PREVIOUS_RELEASE, HexFormat.of().formatHex(bytes));
    assertEquals(DeflateFormat.ZLIB_HEADER, bytes[0] & 0xFF);
  }

  @Test
  void legacyChunksOfEverySizeDecodeExactly() {
    for (int n : new int[] {0, 1, 2, 3600, 100_000}) {
      long[] ts = new long[n];
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        ts[i] = T0 + i * 1_000_000L + (i * 7919L) % 1000;
        values[i] = i % 5 == 0 ? -0.0 : i * 0.001;
      }
      ChunkCodec.Points back = ChunkCodec.decode(DeflateFormat.encode(ts, values, n));
      assertArrayEquals(ts, back.ts());
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.values()[i]));
      }
    }
  }

  @Test
  void aLegacyCountThatDisagreesWithTheInflatedLengthIsCorrupt() {
    byte[] bytes = DeflateFormat.encode(new long[] {1, 2}, new double[] {3, 4}, 2);
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(IllegalStateException.class, () -> ChunkCodec.decode(truncated));
  }
}
