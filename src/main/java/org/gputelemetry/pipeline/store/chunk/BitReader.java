package org.gputelemetry.pipeline.store.chunk;

/**
 * Reads bits, most significant first, from a byte array. Reading past the end throws
 * {@link IllegalStateException}, so a truncated or hostile chunk fails as corrupt instead of
 * reading zeros. Not thread-safe.
 */
final class BitReader {

  private final byte[] bytes;
  private final long limit; // in bits
  private long pos; // in bits

  BitReader(byte[] bytes, int fromByte) {
    this.bytes = bytes;
    this.limit = bytes.length * 8L;
    this.pos = fromByte * 8L;
  }

  long remainingBits() {
    return limit - pos;
  }

  /** {@code n} bits, 0 <= n <= 64, as the low bits of the result. */
  long read(int n) {
    if (n == 0) {
      return 0;
    }
    if (n > limit - pos) {
      throw Corrupt.of("truncated at bit " + pos);
    }
    if (n > 56) {
      long high = read(n - 32);
      return (high << 32) | read(32);
    }
    // the at most 8 bytes holding bits [pos, pos + n): n <= 56 and an offset <= 7 fit in a long
    int byteIndex = (int) (pos >>> 3);
    int end = (int) ((pos + n + 7) >>> 3);
    long window = 0;
    for (int i = byteIndex; i < end; i++) {
      window = (window << 8) | (bytes[i] & 0xFF);
    }
    int unused = (int) (end * 8L - pos - n);
    pos += n;
    return (window >>> unused) & (-1L >>> (64 - n));
  }

  boolean readBit() {
    if (pos >= limit) {
      throw Corrupt.of("truncated at bit " + pos);
    }
    int b = bytes[(int) (pos >>> 3)] >>> (7 - (pos & 7));
    pos++;
    return (b & 1) != 0;
  }

  /** The count of 1 bits before the next 0 bit, at most {@code max} (then no 0 is consumed). */
  int readOnes(int max) {
    int ones = 0;
    while (ones < max && readBit()) {
      ones++;
    }
    return ones;
  }

  long readVarint() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      long b = read(8);
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw Corrupt.of("varint longer than 64 bits");
  }
}
