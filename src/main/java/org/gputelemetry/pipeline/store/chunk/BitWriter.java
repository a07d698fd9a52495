package org.gputelemetry.pipeline.store.chunk;

import java.util.Arrays;

/**
 * Appends bits, most significant first, to a growing byte array. Not thread-safe: one encoder
 * owns one writer.
 */
final class BitWriter {

  private byte[] bytes;
  private long acc; // pending bits, right-aligned
  private int accBits; // 0..63
  private int size; // whole bytes written

  BitWriter(int expectedBytes) {
    bytes = new byte[Math.max(16, expectedBytes)];
  }

  /** The low {@code n} bits of {@code value}, 0 <= n <= 64. */
  void write(long value, int n) {
    if (n == 0) {
      return;
    }
    if (n > 32) {
      write(value >>> 32, n - 32);
      write(value, 32);
      return;
    }
    acc = (acc << n) | (value & (-1L >>> (64 - n)));
    accBits += n;
    while (accBits >= 8) {
      accBits -= 8;
      put((byte) (acc >>> accBits));
    }
  }

  void writeBit(boolean bit) {
    write(bit ? 1 : 0, 1);
  }

  /** An unsigned LEB128-style varint, in 8-bit groups (7 bits of payload each). */
  void writeVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      write((value & 0x7F) | 0x80, 8);
      value >>>= 7;
    }
    write(value, 8);
  }

  long bitsWritten() {
    return size * 8L + accBits;
  }

  /** The bits written, the last byte padded with zeros. */
  byte[] toByteArray() {
    byte[] out = Arrays.copyOf(bytes, size + (accBits > 0 ? 1 : 0));
    if (accBits > 0) {
      out[size] = (byte) (acc << (8 - accBits));
    }
    return out;
  }

  private void put(byte b) {
    if (size == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
    bytes[size++] = b;
  }
}
