package org.gputelemetry.pipeline.transport.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only, on-disk FIFO of opaque records: the edge's buffer while Redis is
 * unreachable. Records live in segment files ({@code spool-<n>.seg}, each record
 * {@code [length][crc32c][bytes]}); a small cursor file remembers how far replay got, so a restart
 * resumes there (at worst re-sending the last chunk: delivery is at-least-once and the store
 * de-duplicates). Fully replayed segments are deleted. A torn record at the tail (the process died
 * mid-append) is cut off at open; a corrupt record elsewhere ends its segment's replay and is counted.
 *
 * <p>Durability follows {@link Fsync}: {@code ALWAYS} forces every append to disk before
 * {@link #append} returns, {@code INTERVAL} when {@link #sync} is called (the transport calls it
 * about once a second), {@code NEVER} leaves it to the OS. A process crash loses nothing in any
 * mode; a machine crash can lose what was not yet forced.
 *
 * <p>Not thread-safe: confine an instance to one thread (the transport uses a one-thread executor).
 */
public final class DiskSpool implements AutoCloseable {

  /** When appended records are forced to disk. */
  public enum Fsync { ALWAYS, INTERVAL, NEVER }

  private static final Logger LOG = LoggerFactory.getLogger(DiskSpool.class);
  private static final String PREFIX = "spool-";
  private static final String SUFFIX = ".seg";
  private static final String CURSOR = "cursor";
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 256 << 20;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final Fsync fsync;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private final ByteBuffer header = ByteBuffer.allocate(HEADER);
  private final CRC32C crc = new CRC32C();
  private FileChannel writer;
  private FileChannel cursorFile;
  private long readOffset;
  private long bytes;
  private long records;
  private long corrupt;
  private boolean dirty;

  private static final class Segment {
    final long number;
    final Path path;
    long size;
    long records;

    Segment(long number, Path path, long size, long records) {
      this.number = number;
      this.path = path;
      this.size = size;
      this.records = records;
    }
  }

  private DiskSpool(Path dir, long maxBytes, long segmentBytes, Fsync fsync) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
  }

  /**
   * Opens (creating if needed) the spool in {@code dir}, recovering what an earlier process left.
   *
   * @param maxBytes most bytes the segment files may hold; {@link #append} refuses past it
   * @param segmentBytes size at which the current segment is closed and a new one started
   */
  public static DiskSpool open(Path dir, long maxBytes, long segmentBytes, Fsync fsync) throws IOException {
    DiskSpool spool = new DiskSpool(dir, maxBytes, segmentBytes, fsync);
    spool.recover();
    return spool;
  }

  private void recover() throws IOException {
    Files.createDirectories(dir);
    List<Long> numbers = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          numbers.add(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())));
        } catch (NumberFormatException e) {
          LOG.warn("Ignoring unexpected file {} in the spool directory", f);
        }
      }
    }
    numbers.sort(null);
    for (int i = 0; i < numbers.size(); i++) {
      Path path = segmentPath(numbers.get(i));
      long[] valid = scan(path, 0, Long.MAX_VALUE);
      long size = Files.size(path);
      if (valid[0] < size) {
        boolean last = i == numbers.size() - 1;
        if (last) {
          LOG.warn("Spool segment {} ends with a torn record ({} bytes): cut off", path.getFileName(), size - valid[0]);
        } else {
          corrupt++;
          LOG.warn("Spool segment {} holds a corrupt record at byte {}: the rest of it is skipped", path.getFileName(), valid[0]);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
          ch.truncate(valid[0]);
        }
      }
      segments.add(new Segment(numbers.get(i), path, valid[0], valid[1]));
    }
    cursorFile = FileChannel.open(dir.resolve(CURSOR), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    restoreCursor();
    if (segments.isEmpty()) {
      segments.add(new Segment(0, segmentPath(0), 0, 0));
    }
    Segment last = segments.peekLast();
    writer = FileChannel.open(last.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    for (Segment s : segments) {
      bytes += s.size;
      records += s.records;
    }
    if (!segments.isEmpty()) {
      records -= scan(segments.peekFirst().path, 0, readOffset)[1];
    }
    if (records > 0) {
      LOG.info("Spool {} holds {} batches ({} bytes) from an earlier run: they will be replayed first", dir, records, bytes);
    }
  }

  /** Drops segments the cursor says were replayed, and positions the read offset in the first one left. */
  private void restoreCursor() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(20);
    if (cursorFile.read(buf, 0) != 20) {
      return;
    }
    buf.flip();
    long segment = buf.getLong();
    long offset = buf.getLong();
    int check = buf.getInt();
    crc.reset();
    crc.update(buf.array(), 0, 16);
    if ((int) crc.getValue() != check) {
      LOG.warn("Spool cursor is damaged: replaying the spool from its start");
      return;
    }
    while (!segments.isEmpty() && segments.peekFirst().number < segment) {
      Files.deleteIfExists(segments.pollFirst().path);
    }
    if (!segments.isEmpty() && segments.peekFirst().number == segment) {
      // the offset is a record boundary written by this class; clamp in case the tail was cut
      readOffset = Math.min(offset, segments.peekFirst().size);
    }
  }

  /** Validates records from {@code from} up to {@code limit}: returns {end offset of valid data, record count}. */
  private long[] scan(Path path, long from, long limit) throws IOException {
    long pos = from;
    long count = 0;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate(HEADER);
      while (pos + HEADER <= size && pos < limit) {
        head.clear();
        ch.read(head, pos);
        head.flip();
        int len = head.getInt();
        int check = head.getInt();
        if (len < 0 || len > MAX_RECORD || pos + HEADER + len > size) {
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        ch.read(body, pos + HEADER);
        crc.reset();
        crc.update(body.array(), 0, len);
        if ((int) crc.getValue() != check) {
          break;
        }
        pos += HEADER + len;
        count++;
      }
    }
    return new long[] {pos, count};
  }

  /**
   * Appends one record at the tail.
   *
   * @return false, writing nothing, when the spool already holds {@code maxBytes}: the caller
   *         must slow down (it keeps the record)
   */
  public boolean append(byte[] record) throws IOException {
    long need = HEADER + record.length;
    if (bytes + need > maxBytes && bytes > 0) {
      return false;
    }
    Segment last = segments.peekLast();
    if (last.size > 0 && last.size + need > segmentBytes) {
      roll();
      last = segments.peekLast();
    }
    crc.reset();
    crc.update(record, 0, record.length);
    header.clear();
    header.putInt(record.length).putInt((int) crc.getValue()).flip();
    ByteBuffer body = ByteBuffer.wrap(record);
    ByteBuffer[] both = {header, body};
    while (header.hasRemaining() || body.hasRemaining()) {
      writer.write(both);
    }
    last.size += need;
    last.records++;
    bytes += need;
    records++;
    if (fsync == Fsync.ALWAYS) {
      writer.force(false);
    } else {
      dirty = true;
    }
    return true;
  }

  private void roll() throws IOException {
    writer.force(false);
    writer.close();
    long next = segments.peekLast().number + 1;
    Segment s = new Segment(next, segmentPath(next), 0, 0);
    segments.add(s);
    writer = FileChannel.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /**
   * The oldest records not yet {@link #commit committed}, in append order, without removing them:
   * at most {@code maxRecords}, and fewer once {@code maxChunkBytes} is passed (always at least one).
   */
  public List<byte[]> peek(int maxRecords, long maxChunkBytes) throws IOException {
    List<byte[]> out = new ArrayList<>();
    long total = 0;
    long offset = readOffset;
    for (Segment s : segments) {
      if (out.size() >= maxRecords || (total >= maxChunkBytes && !out.isEmpty())) {
        break;
      }
      try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
        while (offset + HEADER <= s.size && out.size() < maxRecords && (total < maxChunkBytes || out.isEmpty())) {
          ByteBuffer head = ByteBuffer.allocate(HEADER);
          ch.read(head, offset);
          head.flip();
          int len = head.getInt();
          int check = head.getInt();
          ByteBuffer body = ByteBuffer.allocate(len);
          while (body.hasRemaining() && ch.read(body, offset + HEADER + body.position()) > 0) {
            // read fully
          }
          crc.reset();
          crc.update(body.array(), 0, len);
          if ((int) crc.getValue() != check) {
            throw new IOException("spool segment " + s.path.getFileName() + " is corrupt at byte " + offset);
          }
          out.add(body.array());
          total += HEADER + len;
          offset += HEADER + len;
        }
      }
      offset = 0;
    }
    return out;
  }

  /** Marks the oldest {@code count} records as delivered; deletes segments that are fully delivered. */
  public void commit(int count) throws IOException {
    if (count < 0 || count > records) {
      throw new IllegalArgumentException("cannot commit " + count + " of " + records + " spooled records");
    }
    int left = count;
    while (left > 0 && !segments.isEmpty()) {
      Segment first = segments.peekFirst();
      try (FileChannel ch = FileChannel.open(first.path, StandardOpenOption.READ)) {
        ByteBuffer head = ByteBuffer.allocate(4);
        while (left > 0 && readOffset + HEADER <= first.size) {
          head.clear();
          ch.read(head, readOffset);
          head.flip();
          readOffset += HEADER + head.getInt();
          left--;
          records--;
        }
      }
      if (readOffset >= first.size) {
        if (segments.size() == 1) {
          // the write segment is fully delivered: move on to a new one so the disk is given back
          // (a new number, never a truncated file, so a stale cursor cannot skip new records)
          roll();
        }
        segments.pollFirst();
        bytes -= first.size;
        Files.deleteIfExists(first.path);
        readOffset = 0;
      }
    }
    saveCursor();
  }

  private void saveCursor() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(20);
    buf.putLong(segments.peekFirst().number).putLong(readOffset);
    crc.reset();
    crc.update(buf.array(), 0, 16);
    buf.putInt((int) crc.getValue()).flip();
    cursorFile.write(buf, 0);
  }

  /** Forces appended records to disk ({@link Fsync#INTERVAL}); cheap when nothing was appended. */
  public void sync() throws IOException {
    if (dirty) {
      writer.force(false);
      cursorFile.force(false);
      dirty = false;
    }
  }

  /** Whether every appended record has been committed. */
  public boolean isEmpty() {
    return records == 0;
  }

  /** Records appended and not yet committed. */
  public long records() {
    return records;
  }

  /** Bytes the segment files take on disk (what {@code maxBytes} bounds). */
  public long bytes() {
    return bytes;
  }

  /** Corrupt records found at open (each cost the rest of its segment). */
  public long corrupt() {
    return corrupt;
  }

  private Path segmentPath(long number) {
    return dir.resolve(String.format("%s%020d%s", PREFIX, number, SUFFIX));
  }

  @Override
  public void close() throws IOException {
    if (writer != null && writer.isOpen()) {
      writer.force(false);
      writer.close();
    }
    if (cursorFile != null && cursorFile.isOpen()) {
      cursorFile.force(false);
      cursorFile.close();
    }
  }
}
