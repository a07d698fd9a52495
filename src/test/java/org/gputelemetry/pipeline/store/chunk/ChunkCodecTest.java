package org.gputelemetry.pipeline.store.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips of the Gorilla format: every timestamp and every double's bits come back. */
class ChunkCodecTest {

  private static final long T0 = 1_752_871_354_000_000L; // 2025-07-18T20:42:34Z in microseconds
  private static final long SECOND = 1_000_000L;

  static byte[] assertRoundTrip(long[] ts, double[] values) {
    byte[] bytes = ChunkCodec.encode(ts, values, ts.length);
    assertEquals(GorillaFormat.TAG, bytes[0] & 0xFF, "format byte");
    ChunkCodec.Points back = ChunkCodec.decode(bytes);
    assertArrayEquals(ts, back.ts());
    assertEquals(values.length, back.size());
    for (int i = 0; i < values.length; i++) {
      assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.values()[i]), "value " + i);
    }
    return bytes;
  }

  private static long[] regular(int n, long step) {
    long[] ts = new long[n];
    for (int i = 0; i < n; i++) {
      ts[i] = T0 + i * step;
    }
    return ts;
  }

  @Test
  void emptyChunkIsTwoBytes() {
    assertEquals(2, assertRoundTrip(new long[0], new double[0]).length);
  }

  @Test
  void onePointRoundTrips() {
    assertRoundTrip(new long[] {T0}, new double[] {42.5});
  }

  @Test
  void encodesOnlyTheFirstNPoints() {
    ChunkCodec.Points back = ChunkCodec.decode(ChunkCodec.encode(new long[] {1, 2, 3}, new double[] {4, 5, 6}, 2));
    assertArrayEquals(new long[] {1, 2}, back.ts());
    assertArrayEquals(new double[] {4, 5}, back.values());
  }

  @Test
  void rejectsACountTheArraysDoNotHold() {
    assertThrows(IllegalArgumentException.class, () -> ChunkCodec.encode(new long[2], new double[2], -1));
    assertThrows(IllegalArgumentException.class, () -> ChunkCodec.encode(new long[2], new double[2], 3));
    assertThrows(IllegalArgumentException.class, () -> ChunkCodec.encode(new long[3], new double[2], 3));
  }

  @Test
  void equalTimestampsRoundTrip() {
    assertRoundTrip(new long[] {T0, T0, T0, T0 + 1, T0 + 1}, new double[] {1, 2, 3, 4, 5});
  }

  @Test
  void hugeGapsAndNegativeTimestampsRoundTrip() {
    assertRoundTrip(new long[] {Long.MIN_VALUE, -5_000_000, -1, 0, 7, T0, Long.MAX_VALUE - 1, Long.MAX_VALUE},
        new double[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertRoundTrip(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, new double[] {0, 1});
    assertRoundTrip(new long[] {-62_135_596_800_000_000L, 253_402_300_799_000_000L}, new double[] {1, 2});
  }

  @Test
  void nonFiniteValuesAndNegativeZeroKeepTheirBits() {
    double[] values = {Double.NaN, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.longBitsToDouble(0xfff0_0000_0000_0001L),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE, -Double.MAX_VALUE, 1};
    assertRoundTrip(regular(values.length, SECOND), values);
    // one -0.0 among integers must not be read back as +0.0
    assertRoundTrip(regular(4, SECOND), new double[] {3, -0.0, 5, 6});
  }

  @Test
  void mixedDecimalsRoundTripAndAreScaled() {
    double[] values = {0.5, 1.25, 3.001, 123.456789, 1e-6, -7.5, 100, 0.1, 0.30000000000000004};
    assertRoundTrip(regular(values.length, SECOND), values);
    double[] power = new double[3600];
    Random random = new Random(7);
    double p = 312.5;
    for (int i = 0; i < power.length; i++) {
      p = Math.round((p + random.nextGaussian()) * 1000) / 1000.0;
      power[i] = p;
    }
    byte[] bytes = assertRoundTrip(regular(power.length, SECOND), power);
    // deltas of about 1 W at 3 decimals: about 11 bits, far below XOR's ~50
    assertTrue(bytes.length < power.length * 14 / 8, bytes.length + " bytes");
  }

  @Test
  void integerRunsCostAFewBitsAPoint() {
    double[] memory = new double[3600];
    for (int i = 0; i < memory.length; i++) {
      memory[i] = 20_000 + (i / 300) * 512; // MiB that changes now and then
    }
    byte[] bytes = assertRoundTrip(regular(memory.length, SECOND), memory);
    assertTrue(bytes.length < memory.length * 3 / 8, bytes.length + " bytes"); // timestamps 1 bit, values ~1 bit
  }

  @Test
  void constantSeriesAtWholeSecondsCostOneBitAPoint() {
    double[] values = new double[3600];
    java.util.Arrays.fill(values, 1980);
    byte[] bytes = assertRoundTrip(regular(values.length, 10 * SECOND), values);
    assertTrue(bytes.length <= 3600 / 8 + 32, bytes.length + " bytes");
  }

  @Test
  void jitteredTimestampsRoundTrip() {
    Random random = new Random(3);
    long[] ts = new long[3600];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = T0 + i * SECOND + random.nextInt(2000) + (i % 300 == 7 ? 40_000 : 0); // a timer's jitter, rare stalls
    }
    double[] values = new double[ts.length];
    byte[] bytes = assertRoundTrip(ts, values);
    // jitter within 2 ms on a 1 s grid: 11 bits a timestamp (offsets from the grid) instead of 64
    assertTrue(bytes.length < ts.length * 12 / 8, bytes.length + " bytes");
  }

  @Test
  void oneHugeStepAmongJitteredIntervalsRoundTrips() {
    Random random = new Random(13);
    long[] ts = new long[500];
    long t = T0;
    for (int i = 0; i < ts.length; i++) {
      ts[i] = t;
      // intervals measured from the last, and one step 2^62 back: a residual with its top bit set among 10-bit ones
      t += i == 250 ? -(1L << 62) : SECOND + random.nextInt(1000);
    }
    assertRoundTrip(ts, new double[ts.length]);
  }

  @Test
  void driftingIntervalsRoundTrip() {
    long[] ts = new long[3600];
    long t = T0;
    for (int i = 0; i < ts.length; i++) {
      ts[i] = t;
      t += SECOND + i; // a timer that slips a microsecond more each tick
    }
    byte[] bytes = assertRoundTrip(ts, new double[ts.length]);
    assertTrue(bytes.length < ts.length * 2 / 8 + 64, bytes.length + " bytes"); // delta of delta: constant
  }

  @Test
  void randomDoublesRoundTrip() {
    Random random = new Random(11);
    double[] values = new double[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble() * 1e6;
    }
    assertRoundTrip(regular(values.length, SECOND), values);
  }

  @Test
  void aHundredThousandPointsRoundTrip() {
    Random random = new Random(5);
    int n = 100_000;
    long[] ts = new long[n];
    double[] values = new double[n];
    long t = T0;
    for (int i = 0; i < n; i++) {
      t += random.nextInt(10) == 0 ? random.nextInt(100_000_000) : SECOND + random.nextInt(50);
      ts[i] = t;
      values[i] = random.nextInt(101);
    }
    assertRoundTrip(ts, values);
  }

  @Test
  void unknownFormatByteIsCorrupt() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChunkCodec.decode(new byte[] {0x11, 0}));
    assertTrue(e.getMessage().startsWith("corrupt sample chunk"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> ChunkCodec.decode(new byte[0]));
  }

  @Test
  void aCountLargerThanTheBytesCanHoldIsRefusedBeforeAllocating() {
    byte[] two = ChunkCodec.encode(new long[] {T0, T0 + SECOND}, new double[] {1.5, 2.5}, 2);
    assertEquals(2, two[1]);
    byte[] claimsAMillion = new byte[two.length + 2];
    claimsAMillion[0] = two[0];
    claimsAMillion[1] = (byte) 0xC0; // varint 1,000,000
    claimsAMillion[2] = (byte) 0x84;
    claimsAMillion[3] = 0x3D;
    System.arraycopy(two, 2, claimsAMillion, 4, two.length - 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChunkCodec.decode(claimsAMillion));
    assertTrue(e.getMessage().contains("1000000 points in " + claimsAMillion.length + " bytes"), e.getMessage());
    byte[] overTheCap = {(byte) GorillaFormat.TAG, (byte) 0x81, (byte) 0x80, (byte) 0x80, 0x08}; // 2^24 + 1
    assertTrue(assertThrows(IllegalStateException.class, () -> ChunkCodec.decode(overTheCap)).getMessage()
        .contains("16777217 points"));
  }

  @Test
  void regularTimestampsCostNoBitAPoint() {
    Random random = new Random(9);
    double[] util = new double[3600];
    for (int i = 0; i < util.length; i++) {
      util[i] = random.nextInt(128); // 7 bits each as offsets
    }
    byte[] bytes = assertRoundTrip(regular(util.length, SECOND), util);
    assertTrue(bytes.length <= 3600 * 7 / 8 + 32, bytes.length + " bytes");
  }
}
