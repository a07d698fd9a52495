package org.gputelemetry.pipeline.store.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random chunks round-trip exactly (huge steps either way included). Their encodings
 * mutated (bits flipped, cut, extended, bytes replaced) and random bytes behind each format byte:
 * decoding either returns as many values as timestamps, within the bound the byte length allows,
 * or throws IllegalStateException; nothing else, no OOM.
 */
class ChunkCodecFuzzTest {

  private static final int CASES = 2500;
  private static final int MUTATIONS = 8;

  @Test
  void hostileBytesOnlyEverFailAsCorrupt() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      Random random = new Random(20261203);
      int decoded = 0;
      int corrupt = 0;
      for (int c = 0; c < CASES; c++) {
        int n = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(400);
        long[] ts = timestamps(random, n);
        double[] values = values(random, n);
        byte[] original = c % 10 == 0 ? DeflateFormat.encode(ts, values, n) : ChunkCodec.encode(ts, values, n);
        for (int m = 0; m < MUTATIONS; m++) {
          if (decodes(mutate(random, original))) {
            decoded++;
          } else {
            corrupt++;
          }
        }
        byte[] noise = new byte[random.nextInt(64)];
        random.nextBytes(noise);
        if (noise.length > 0) {
          noise[0] = (byte) (random.nextBoolean() ? GorillaFormat.TAG : DeflateFormat.ZLIB_HEADER);
        }
        if (decodes(noise)) {
          decoded++;
        } else {
          corrupt++;
        }
      }
      // both outcomes must occur, or the mutations test nothing
      assertTrue(decoded > 100 && corrupt > 100, decoded + " decoded, " + corrupt + " corrupt");
    });
  }

  @Test
  void seededRandomChunksRoundTripExactly() {
    Random random = new Random(42);
    for (int c = 0; c < 2000; c++) {
      int n = random.nextInt(300);
      long[] ts = timestamps(random, n);
      if (n > 2 && random.nextInt(3) == 0) { // a huge step somewhere, either way
        int at = 1 + random.nextInt(n - 1);
        long step = random.nextBoolean() ? random.nextLong() : (random.nextBoolean() ? 1L : -1L) << (40 + random.nextInt(23));
        for (int i = at; i < n; i++) {
          ts[i] += step;
        }
      }
      double[] values = values(random, n);
      ChunkCodec.Points back = ChunkCodec.decode(ChunkCodec.encode(ts, values, n));
      assertArrayEquals(ts, back.ts(), "case " + c);
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.values()[i]),
            "case " + c + " value " + i);
      }
    }
  }

  private static boolean decodes(byte[] bytes) {
    try {
      ChunkCodec.Points p = ChunkCodec.decode(bytes);
      assertEquals(p.ts().length, p.values().length);
      if (bytes[0] == (byte) GorillaFormat.TAG) {
        assertTrue(p.size() <= 8L * bytes.length + 1, p.size() + " points from " + bytes.length + " bytes");
      }
      return true;
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().startsWith("corrupt sample chunk"), e.getMessage());
      return false;
    } catch (Throwable t) {
      fail("decoding " + Arrays.toString(bytes) + " threw " + t, t);
      return false;
    }
  }

  private static byte[] mutate(Random random, byte[] original) {
    byte[] b = original.clone();
    switch (random.nextInt(5)) {
      case 0 -> { // a few bits flipped
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          int bit = 8 + random.nextInt(Math.max(1, b.length * 8 - 8));
          if (bit / 8 < b.length) {
            b[bit / 8] ^= (byte) (1 << (bit % 8));
          }
        }
      }
      case 1 -> b = Arrays.copyOf(b, 1 + random.nextInt(b.length)); // cut
      case 2 -> { // extended with noise
        b = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
        for (int i = original.length; i < b.length; i++) {
          b[i] = (byte) random.nextInt();
        }
      }
      case 3 -> { // a byte replaced, the count's bytes more often
        int at = b.length == 1 ? 0 : 1 + (random.nextBoolean() ? random.nextInt(Math.min(4, b.length - 1))
            : random.nextInt(b.length - 1));
        b[at] = (byte) random.nextInt();
      }
      default -> { // a span of random bytes
        int from = random.nextInt(b.length);
        for (int i = from; i < Math.min(b.length, from + 8); i++) {
          b[i] = (byte) random.nextInt();
        }
      }
    }
    return b;
  }

  private static long[] timestamps(Random random, int n) {
    long[] ts = new long[n];
    long t = random.nextBoolean() ? 1_752_871_354_000_000L : random.nextLong();
    long step = random.nextBoolean() ? 1_000_000L : 1 + random.nextInt(20_000_000);
    int jitter = 1 << random.nextInt(16);
    int kind = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      ts[i] = switch (kind) {
        case 0 -> t; // regular, with now and then a short interval
        case 1 -> t + random.nextInt(jitter); // a grid with jitter
        default -> t += random.nextInt(jitter); // intervals measured from the last, jittered
      };
      t += kind == 0 && random.nextInt(4) == 0 ? random.nextInt(1000) : step;
    }
    return ts;
  }

  private static double[] values(Random random, int n) {
    double[] v = new double[n];
    int kind = random.nextInt(6);
    double x = random.nextInt(1000);
    for (int i = 0; i < n; i++) {
      v[i] = switch (kind) {
        case 0 -> random.nextInt(101);
        case 1 -> x += Math.round(random.nextGaussian() * 1000) / 1000.0;
        case 2 -> Double.longBitsToDouble(random.nextLong());
        case 3 -> (double) (random.nextLong() >> 11); // integers up to 2^52: the widest scaled runs
        case 4 -> random.nextInt(20) == 0 ? -x * 1e9 : x; // rare jumps of 60 bits among constants
        default -> random.nextInt(50) == 0 ? Double.NaN : x;
      };
    }
    return v;
  }
}
