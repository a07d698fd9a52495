package org.gputelemetry.pipeline.transport.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.transport.spool.DiskSpool.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DiskSpoolTest {

  @TempDir
  Path dir;

  private static byte[] record(int i) {
    return ("batch-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> drain(DiskSpool spool, int chunk) throws IOException {
    List<String> out = new ArrayList<>();
    while (!spool.isEmpty()) {
      List<byte[]> got = spool.peek(chunk, Long.MAX_VALUE);
      got.forEach(b -> out.add(new String(b, StandardCharsets.UTF_8)));
      spool.commit(got.size());
    }
    return out;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new String(record(i), StandardCharsets.UTF_8));
    }
    return out;
  }

  private long segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".seg")).count();
    }
  }

  @ParameterizedTest
  @EnumSource(Fsync.class)
  void replaysRecordsInAppendOrderAcrossSegments(Fsync fsync) throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 4096, fsync)) {
      for (int i = 0; i < 500; i++) {
        assertTrue(spool.append(record(i)));
      }
      assertTrue(segmentFiles() > 3, "small segments roll over");
      assertEquals(500, spool.records());
      assertEquals(expected(0, 500), drain(spool, 7));
      assertTrue(spool.isEmpty());
      assertEquals(1, segmentFiles(), "replayed segments are deleted");
    }
  }

  @Test
  void peekDoesNotRemoveAndCommitAdvances() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.NEVER)) {
      spool.append(record(1));
      spool.append(record(2));
      assertArrayEquals(record(1), spool.peek(1, Long.MAX_VALUE).get(0));
      assertArrayEquals(record(1), spool.peek(1, Long.MAX_VALUE).get(0), "peek again sees the same head");
      spool.commit(1);
      assertArrayEquals(record(2), spool.peek(5, Long.MAX_VALUE).get(0));
      assertEquals(1, spool.peek(5, Long.MAX_VALUE).size());
      assertThrows(IllegalArgumentException.class, () -> spool.commit(2), "cannot commit more than is spooled");
    }
  }

  @Test
  void chunkStopsAtTheByteBoundButHoldsAtLeastOneRecord() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.NEVER)) {
      for (int i = 0; i < 10; i++) {
        spool.append(new byte[1000]);
      }
      assertEquals(3, spool.peek(100, 2500).size());
      assertEquals(1, spool.peek(100, 10).size());
    }
  }

  @Test
  void survivesARestartAndResumesWhereReplayStopped() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 4096, Fsync.INTERVAL)) {
      for (int i = 0; i < 300; i++) {
        spool.append(record(i));
      }
      List<byte[]> first = spool.peek(120, Long.MAX_VALUE);
      spool.commit(first.size());
      spool.sync();
    }
    try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20, 4096, Fsync.INTERVAL)) {
      assertEquals(180, reopened.records());
      reopened.append(record(300));
      assertEquals(expected(120, 301), drain(reopened, 50));
    }
  }

  @Test
  void refusesAppendsPastItsCapAndAcceptsAgainOnceReplayed() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 64 << 10, Fsync.NEVER)) {
      byte[] big = new byte[100_000];
      int taken = 0;
      while (spool.append(big)) {
        taken++;
      }
      assertEquals(10, taken, "1 MiB holds ten 100 kB records with their headers");
      assertTrue(spool.bytes() <= 1 << 20);
      assertFalse(spool.append(big), "still full");
      spool.commit(spool.peek(3, Long.MAX_VALUE).size());
      assertTrue(spool.append(big), "room again once the head was replayed");
    }
  }

  @Test
  void cutsATornRecordAtTheTail() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.ALWAYS)) {
      spool.append(record(1));
      spool.append(record(2));
    }
    Path segment = onlySegment();
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      // a header that promises 1000 bytes, and only 3 of them: the process died mid-append
      ch.write(ByteBuffer.allocate(11).putInt(1000).putInt(0).put(new byte[3]).flip());
    }
    try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.ALWAYS)) {
      assertEquals(2, reopened.records());
      reopened.append(record(3));
      assertEquals(List.of(str(record(1)), str(record(2)), str(record(3))), drain(reopened, 10));
    }
  }

  @Test
  void skipsTheRestOfASegmentAfterACorruptRecordAndCountsIt() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 200, Fsync.ALWAYS)) {
      for (int i = 0; i < 20; i++) {
        spool.append(record(i));
      }
    }
    Path first;
    try (Stream<Path> files = Files.list(dir)) {
      first = files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    }
    long before = Files.size(first);
    try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'#'}), 8 + 2); // flip a byte of the first record's body
    }
    try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20, 200, Fsync.ALWAYS)) {
      assertEquals(1, reopened.corrupt());
      List<String> replayed = drain(reopened, 100);
      assertFalse(replayed.contains(str(record(0))), "the corrupt record is not replayed");
      assertEquals(str(record(19)), replayed.get(replayed.size() - 1), "later segments still are");
      assertTrue(before > 0);
    }
  }

  @Test
  void ignoresADamagedCursorAndReplaysFromTheStart() throws IOException {
    try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.ALWAYS)) {
      for (int i = 0; i < 5; i++) {
        spool.append(record(i));
      }
      spool.commit(2);
    }
    Files.write(dir.resolve("cursor"), new byte[20]);
    try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20, 1 << 16, Fsync.ALWAYS)) {
      assertEquals(expected(0, 5), drain(reopened, 10), "at-least-once: replaying twice beats losing");
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segs = files.filter(f -> f.getFileName().toString().endsWith(".seg")).toList();
      assertEquals(1, segs.size());
      return segs.get(0);
    }
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
