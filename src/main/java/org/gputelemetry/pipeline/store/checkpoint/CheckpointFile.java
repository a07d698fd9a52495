package org.gputelemetry.pipeline.store.checkpoint;

import io.vertx.core.Future;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * The checkpoint file: a snapshot of a store, read and written through {@link TelemetryStore}'s
 * public API, so it works for any store whatever its internals.
 *
 * <p>Layout: a 24-byte header ({@code GPUTCKPT}, version, reserved, creation time in epoch
 * microseconds, CRC32C of those 20 bytes), then one section per GPU and an end section. A section
 * is its type byte, its payload length, the payload and a CRC32C over type, length and payload. A
 * GPU section holds the GPU's attributes and its series (metric, labels, container, pod,
 * namespace), each series' points packed by {@link ChunkCodec}. The end section counts the GPU
 * sections and samples; a file without it was cut short.
 *
 * <p>Writing goes to {@code <path>.tmp} in the same directory, which is forced to disk, renamed
 * over {@code path} atomically, and the directory forced too: a crash at any point leaves either
 * the previous checkpoint or the new one, never a mix. Restoring reads the file twice: once to
 * check every checksum and the end section, then to write the samples, so a damaged file adds
 * nothing to the store. Blocking: call from a worker thread, never an event loop.
 */
public final class CheckpointFile {

  static final byte[] MAGIC = "GPUTCKPT".getBytes(StandardCharsets.US_ASCII);
  static final short VERSION = 1;
  static final int HEADER_BYTES = 24;
  private static final byte GPU_SECTION = 1;
  private static final byte END_SECTION = 2;
  /** A GPU section is at most a few MB (maxEntriesPerGPU points); a larger length is damage. */
  private static final int MAX_SECTION_BYTES = 1 << 30;
  /** Samples per store write when restoring: one collector batch. */
  private static final int WRITE_SLICE = 5_000;
  private static final long STORE_TIMEOUT_SECONDS = 60;

  /** What a write or a restore covered. */
  public record Stats(int gpus, long samples, long bytes) {
  }

  private CheckpointFile() {
  }

  /** The file being written next to {@code path}. */
  public static Path temporary(Path path) {
    return path.resolveSibling(path.getFileName() + ".tmp");
  }

  /** Where a checkpoint that failed to restore is set aside. */
  public static Path corrupt(Path path) {
    return path.resolveSibling(path.getFileName() + ".corrupt");
  }

  /**
   * Writes every sample of {@code store} to {@code path}, replacing the previous checkpoint
   * atomically. A sample written to the store while this runs may or may not be included; the
   * store's writes are idempotent, so a later checkpoint or a replay covers it either way.
   */
  public static Stats write(TelemetryStore store, Path path) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = temporary(path);
    int gpus = 0;
    long samples = 0;
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
      out.write(header(System.currentTimeMillis() * 1_000L));
      for (GpuRecord gpu : await(store.gpus(null))) {
        GpuSection section = GpuSection.read(store, gpu.gpu());
        if (section.samples == 0) {
          continue;
        }
        writeSection(out, GPU_SECTION, section.encode());
        gpus++;
        samples += section.samples;
      }
      ByteArrayOutputStream end = new ByteArrayOutputStream(12);
      DataOutputStream e = new DataOutputStream(end);
      e.writeInt(gpus);
      e.writeLong(samples);
      writeSection(out, END_SECTION, end.toByteArray());
      out.flush();
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    long bytes = Files.size(tmp);
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp); // the previous checkpoint stays; no half-finished file lingers beside it
      throw e;
    }
    forceDirectory(dir);
    return new Stats(gpus, samples, bytes);
  }

  /**
   * Checks {@code path} whole, then writes its samples to {@code store}, each GPU's oldest first
   * (a bounded store keeps the newest).
   *
   * @throws CorruptCheckpointException when the file is damaged or cut short; nothing was written
   */
  public static Stats restore(TelemetryStore store, Path path) throws IOException, CorruptCheckpointException {
    scan(path, payload -> {
    });
    long bytes = Files.size(path);
    return scan(path, payload -> {
      List<Sample> samples = GpuSection.decode(payload);
      samples.sort(Comparator.comparingLong(Sample::timestampMicros));
      for (int from = 0; from < samples.size(); from += WRITE_SLICE) {
        await(store.write(samples.subList(from, Math.min(samples.size(), from + WRITE_SLICE))));
      }
    }).withBytes(bytes);
  }

  /** Checks {@code path} without restoring it. */
  public static Stats verify(Path path) throws IOException, CorruptCheckpointException {
    return scan(path, payload -> {
    }).withBytes(Files.size(path));
  }

  private interface SectionHandler {
    void gpu(byte[] payload) throws IOException, CorruptCheckpointException;
  }

  private record Counts(int gpus, long samples) {
    Stats withBytes(long bytes) {
      return new Stats(gpus, samples, bytes);
    }
  }

  private static Counts scan(Path path, SectionHandler handler) throws IOException, CorruptCheckpointException {
    try (InputStream file = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      DataInputStream in = new DataInputStream(file);
      byte[] header = new byte[HEADER_BYTES];
      readFully(in, header, "header");
      checkHeader(header);
      int gpus = 0;
      while (true) {
        int type = in.read();
        if (type < 0) {
          throw new CorruptCheckpointException("truncated: no end section after " + gpus + " GPU sections");
        }
        byte[] lengthBytes = new byte[4];
        readFully(in, lengthBytes, "section length");
        int length = ((lengthBytes[0] & 0xff) << 24) | ((lengthBytes[1] & 0xff) << 16) | ((lengthBytes[2] & 0xff) << 8)
            | (lengthBytes[3] & 0xff);
        if (length < 0 || length > MAX_SECTION_BYTES) {
          throw new CorruptCheckpointException("section " + (gpus + 1) + " claims " + length + " bytes");
        }
        byte[] payload = new byte[length];
        readFully(in, payload, "section " + (gpus + 1));
        byte[] crcBytes = new byte[4];
        readFully(in, crcBytes, "section checksum");
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(lengthBytes);
        crc.update(payload);
        if ((int) crc.getValue() != java.nio.ByteBuffer.wrap(crcBytes).getInt()) {
          throw new CorruptCheckpointException("checksum mismatch in section " + (gpus + 1));
        }
        if (type == GPU_SECTION) {
          handler.gpu(payload);
          gpus++;
        } else if (type == END_SECTION) {
          DataInputStream end = new DataInputStream(new ByteArrayInputStream(payload));
          int declared = end.readInt();
          long samples = end.readLong();
          if (declared != gpus) {
            throw new CorruptCheckpointException("end section counts " + declared + " GPU sections, file holds " + gpus);
          }
          if (in.read() >= 0) {
            throw new CorruptCheckpointException("bytes after the end section");
          }
          return new Counts(gpus, samples);
        } else {
          throw new CorruptCheckpointException("unknown section type " + type);
        }
      }
    }
  }

  static byte[] header(long createdMicros) {
    byte[] h = new byte[HEADER_BYTES];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h);
    b.put(MAGIC).putShort(VERSION).putShort((short) 0).putLong(createdMicros);
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 20);
    b.putInt((int) crc.getValue());
    return h;
  }

  private static void checkHeader(byte[] h) throws CorruptCheckpointException {
    if (!Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptCheckpointException("not a checkpoint file (bad magic)");
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h);
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 20);
    if ((int) crc.getValue() != b.getInt(20)) {
      throw new CorruptCheckpointException("header checksum mismatch");
    }
    short version = b.getShort(8);
    if (version != VERSION) {
      throw new CorruptCheckpointException("checkpoint version " + version + ", this build reads " + VERSION);
    }
  }

  private static void readFully(DataInputStream in, byte[] into, String what) throws IOException, CorruptCheckpointException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new CorruptCheckpointException("truncated in the " + what);
    }
  }

  private static void writeSection(DataOutputStream out, byte type, byte[] payload) throws IOException {
    byte[] length = java.nio.ByteBuffer.allocate(4).putInt(payload.length).array();
    CRC32C crc = new CRC32C();
    crc.update(type);
    crc.update(length);
    crc.update(payload);
    out.writeByte(type);
    out.write(length);
    out.write(payload);
    out.writeInt((int) crc.getValue());
  }

  /** Without this a rename may not survive a power loss: the directory entry is data too. */
  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems refuse to open a directory; the rename itself is still atomic there
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  static <T> T await(Future<T> future) throws IOException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the store", e);
    } catch (ExecutionException e) {
      throw new IOException("store failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("store did not answer within " + STORE_TIMEOUT_SECONDS + "s", e);
    }
  }

  /** One series of a GPU: what tells it apart, and its points. */
  private record SeriesKey(String metric, Labels labels, String container, String pod, String namespace) {
  }

  /** Growable point arrays of one series, timestamps ascending as the store pages them. */
  private static final class Points {
    long[] ts = new long[64];
    double[] values = new double[64];
    int n;

    void add(long t, double v) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        values = Arrays.copyOf(values, n * 2);
      }
      ts[n] = t;
      values[n++] = v;
    }
  }

  /** One GPU's samples, grouped by series. */
  private static final class GpuSection {
    final Gpu gpu;
    final Map<SeriesKey, Points> series = new LinkedHashMap<>();
    long samples;

    GpuSection(Gpu gpu) {
      this.gpu = gpu;
    }

    /** Pages through every sample of {@code gpu}: the cursor carries the label set, so no series is skipped. */
    static GpuSection read(TelemetryStore store, Gpu gpu) throws IOException {
      GpuSection s = new GpuSection(gpu);
      Cursor cursor = null;
      do {
        SamplePage page = await(store.samples(new SampleQuery(gpu.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null,
            SampleQuery.MAX_LIMIT, cursor)));
        for (Sample x : page.samples()) {
          s.series.computeIfAbsent(new SeriesKey(x.metric(), x.labels(), x.container(), x.pod(), x.namespace()),
              k -> new Points()).add(x.timestampMicros(), x.value());
          s.samples++;
        }
        cursor = page.next();
      } while (cursor != null);
      return s;
    }

    byte[] encode() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (int) Math.min(samples * 4, 1 << 24));
      DataOutputStream out = new DataOutputStream(bytes);
      writeString(out, gpu.uuid());
      out.writeInt(gpu.gpuIndex());
      writeString(out, gpu.device());
      writeString(out, gpu.modelName());
      writeString(out, gpu.hostname());
      writeString(out, gpu.pciBusId());
      writeString(out, gpu.driverVersion());
      writeString(out, gpu.parentUuid());
      writeString(out, gpu.migProfile());
      out.writeInt(series.size());
      for (Map.Entry<SeriesKey, Points> e : series.entrySet()) {
        SeriesKey k = e.getKey();
        writeString(out, k.metric());
        writeString(out, k.container());
        writeString(out, k.pod());
        writeString(out, k.namespace());
        out.writeInt(k.labels().size());
        for (int i = 0; i < k.labels().size(); i++) {
          writeString(out, k.labels().name(i));
          writeString(out, k.labels().value(i));
        }
        Points p = e.getValue();
        byte[] chunk = ChunkCodec.encode(p.ts, p.values, p.n);
        out.writeInt(p.n);
        out.writeInt(chunk.length);
        out.write(chunk);
      }
      out.flush();
      return bytes.toByteArray();
    }

    /** The samples of a checksummed section; a structure that does not parse is still damage. */
    static List<Sample> decode(byte[] payload) throws CorruptCheckpointException {
      try {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        Gpu gpu = new Gpu(Objects.requireNonNull(readString(in), "uuid"), in.readInt(), readString(in), readString(in),
            readString(in), readString(in), readString(in), readString(in), readString(in));
        int seriesCount = in.readInt();
        List<Sample> out = new ArrayList<>();
        for (int s = 0; s < seriesCount; s++) {
          String metric = Objects.requireNonNull(readString(in), "metric");
          String container = readString(in);
          String pod = readString(in);
          String namespace = readString(in);
          int labelCount = in.readInt();
          if (labelCount < 0 || labelCount > payload.length) {
            throw new CorruptCheckpointException("bad label count " + labelCount);
          }
          String[] pairs = new String[labelCount * 2];
          for (int i = 0; i < pairs.length; i++) {
            pairs[i] = readString(in);
          }
          Labels labels = Labels.of(pairs);
          int points = in.readInt();
          int length = in.readInt();
          if (length < 0 || length > payload.length) {
            throw new CorruptCheckpointException("bad chunk length " + length);
          }
          byte[] chunk = new byte[length];
          in.readFully(chunk);
          ChunkCodec.Points p = ChunkCodec.decode(chunk);
          if (p.size() != points) {
            throw new CorruptCheckpointException("series " + metric + " of " + gpu.uuid() + " holds " + p.size()
                + " points, expected " + points);
          }
          for (int i = 0; i < p.size(); i++) {
            out.add(new Sample(gpu, metric, p.ts()[i], p.values()[i], container, pod, namespace, labels));
          }
        }
        return out;
      } catch (IOException | RuntimeException e) {
        throw new CorruptCheckpointException("GPU section does not parse: " + e.getMessage(), e);
      }
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > in.available()) {
      throw new IOException("bad string length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
