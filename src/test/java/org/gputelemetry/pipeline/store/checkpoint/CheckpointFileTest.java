package org.gputelemetry.pipeline.store.checkpoint;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file against real memory stores: what goes in comes back, damage is refused whole. */
class CheckpointFileTest {

  private static final long T0 = 1_752_871_354_000_000L;
  private static final Gpu MIG = new Gpu("MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/1/0", 0, "nvidia0",
      "NVIDIA A100-SXM4-80GB", "host-mig", "00000000:07:00.0", "535.129.03", "GPU-5fd4f087-86f3-7a43-b711-4771313afc50",
      "3g.40gb");

  @TempDir
  Path dir;

  /** 200 GPUs on 25 hosts, 3 metrics a second for 30 s, XID series with two label sets at one instant, one MIG slice. */
  private static MemoryTelemetryStore fleet() {
    MemoryTelemetryStore store = new MemoryTelemetryStore(100_000);
    List<Sample> batch = new ArrayList<>();
    for (int g = 0; g < 200; g++) {
      Gpu gpu = new Gpu(String.format("GPU-%08d-0000-0000-0000-000000000000", g), g % 8, "nvidia" + (g % 8),
          "NVIDIA H100 80GB HBM3", "host-" + (g / 8));
      for (int s = 0; s < 30; s++) {
        long t = T0 + s * 1_000_000L;
        batch.add(new Sample(gpu, "DCGM_FI_DEV_GPU_UTIL", t, (g + s) % 101, "trainer", "job-" + g, "ml"));
        batch.add(new Sample(gpu, "DCGM_FI_DEV_POWER_USAGE", t, 250.25 + s * 0.5, null, null, null));
        batch.add(new Sample(gpu, "DCGM_FI_DEV_GPU_TEMP", t, 60 + s % 7, null, null, null));
      }
      if (g % 10 == 0) {
        batch.add(new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", T0, 1, null, null, null, Labels.of("err_code", "13")));
        batch.add(new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", T0, 1, null, null, null, Labels.of("err_code", "79", "xid", "x")));
      }
    }
    batch.add(new Sample(MIG, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", T0, 0.42, null, null, null));
    await(store.write(batch));
    return store;
  }

  /** Every sample of a store, GPU by GPU, paged with cursors. */
  private static List<Sample> everything(TelemetryStore store) {
    List<Sample> out = new ArrayList<>();
    for (GpuRecord g : await(store.gpus(null))) {
      Cursor cursor = null;
      do {
        SamplePage page = await(store.samples(new SampleQuery(g.gpu().uuid(), Long.MIN_VALUE, Long.MAX_VALUE, null,
            SampleQuery.MAX_LIMIT, cursor)));
        out.addAll(page.samples());
        cursor = page.next();
      } while (cursor != null);
    }
    return out;
  }

  @Test
  void roundTripKeepsEverySampleLabelSetAndGpuAttribute() throws Exception {
    MemoryTelemetryStore source = fleet();
    Path file = dir.resolve("checkpoint");
    CheckpointFile.Stats written = CheckpointFile.write(source, file);
    assertEquals(201, written.gpus());
    assertEquals(200 * 90 + 20 * 2 + 1, written.samples());
    assertEquals(Files.size(file), written.bytes());
    assertFalse(Files.exists(CheckpointFile.temporary(file)), "the temporary file is renamed, not left behind");

    MemoryTelemetryStore restored = new MemoryTelemetryStore(100_000);
    CheckpointFile.Stats read = CheckpointFile.restore(restored, file);
    assertEquals(written, read);
    assertEquals(everything(source), everything(restored));
    assertEquals(await(source.gpus(null)), await(restored.gpus(null)));
    assertEquals(MIG, await(restored.gpu(MIG.uuid())).orElseThrow().gpu());
    assertEquals(await(source.latestOf("DCGM_FI_DEV_XID_ERRORS", null)), await(restored.latestOf("DCGM_FI_DEV_XID_ERRORS", null)));
  }

  @Test
  void aGpuWithMoreSamplesThanAPageIsCoveredWhole() throws Exception {
    MemoryTelemetryStore source = new MemoryTelemetryStore(100_000);
    Gpu gpu = new Gpu("GPU-big", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");
    List<Sample> batch = new ArrayList<>();
    // pages of 10,000 end between label series of one instant: the cursor's label set resumes there
    for (int s = 0; s < 4_001; s++) {
      for (String code : List.of("13", "31", "79")) {
        batch.add(new Sample(gpu, "DCGM_FI_DEV_XID_ERRORS", T0 + s, s, null, null, null, Labels.of("err_code", code)));
      }
    }
    await(source.write(batch));
    Path file = dir.resolve("checkpoint");
    assertEquals(12_003, CheckpointFile.write(source, file).samples());
    MemoryTelemetryStore restored = new MemoryTelemetryStore(100_000);
    CheckpointFile.restore(restored, file);
    assertEquals(everything(source), everything(restored));
  }

  @Test
  void aFlippedByteIsRefusedAndNothingIsRestored() throws Exception {
    Path file = dir.resolve("checkpoint");
    CheckpointFile.write(fleet(), file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);
    MemoryTelemetryStore restored = new MemoryTelemetryStore(100_000);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.restore(restored, file));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertEquals(List.of(), await(restored.gpus(null)), "a damaged file adds nothing to the store");
  }

  @Test
  void aTruncatedFileIsRefusedWhereverItWasCut() throws Exception {
    Path file = dir.resolve("checkpoint");
    CheckpointFile.write(fleet(), file);
    byte[] whole = Files.readAllBytes(file);
    for (int length : new int[] {0, 5, CheckpointFile.HEADER_BYTES, CheckpointFile.HEADER_BYTES + 3, whole.length / 3,
        whole.length - 17, whole.length - 1}) {
      Path cut = dir.resolve("cut-" + length);
      Files.write(cut, java.util.Arrays.copyOf(whole, length));
      MemoryTelemetryStore restored = new MemoryTelemetryStore(100_000);
      assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.restore(restored, cut), "cut at " + length);
      assertEquals(List.of(), await(restored.gpus(null)), "cut at " + length);
    }
  }

  @Test
  void aFileOfAnotherFormatOrVersionIsRefused() throws Exception {
    Path file = dir.resolve("checkpoint");
    Files.writeString(file, "{\"this\": \"is not a checkpoint file at all\"}");
    assertTrue(assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.verify(file)).getMessage().contains("magic"));
    CheckpointFile.write(fleet(), file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[9] = 9; // version 9, header checksum recomputed so only the version is wrong
    System.arraycopy(headerWithVersion(bytes), 0, bytes, 0, CheckpointFile.HEADER_BYTES);
    Files.write(file, bytes);
    assertTrue(assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.verify(file)).getMessage().contains("version 9"));
  }

  private static byte[] headerWithVersion(byte[] file) {
    byte[] h = java.util.Arrays.copyOf(file, CheckpointFile.HEADER_BYTES);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(h, 0, 20);
    java.nio.ByteBuffer.wrap(h).putInt(20, (int) crc.getValue());
    return h;
  }

  @Test
  void aWriteThatFailsHalfWayLeavesThePreviousCheckpointValid() throws Exception {
    MemoryTelemetryStore first = fleet();
    Path file = dir.resolve("checkpoint");
    CheckpointFile.Stats previous = CheckpointFile.write(first, file);
    byte[] before = Files.readAllBytes(file);

    // a second store that fails after 50 GPUs have been read: the write is abandoned half way
    MemoryTelemetryStore second = new MemoryTelemetryStore(100_000);
    await(second.write(everything(first)));
    await(second.write(List.of(new Sample(MIG, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", T0 + 1, 0.5, null, null, null))));
    IOException e = assertThrows(IOException.class, () -> CheckpointFile.write(new FailingAfter(second, 50), file));
    assertTrue(e.getMessage().contains("store failed"), e.getMessage());
    assertFalse(Files.exists(CheckpointFile.temporary(file)), "the abandoned temporary file is removed");
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(file)), "the previous checkpoint is untouched");
    assertEquals(previous, CheckpointFile.verify(file));

    // a crash after the temporary file was half written leaves it behind: restore ignores it, the next write replaces it
    Files.write(CheckpointFile.temporary(file), java.util.Arrays.copyOf(before, before.length / 2));
    MemoryTelemetryStore restored = new MemoryTelemetryStore(100_000);
    assertEquals(previous, CheckpointFile.restore(restored, file));
    assertEquals(everything(first), everything(restored));
    CheckpointFile.Stats next = CheckpointFile.write(second, file);
    assertEquals(previous.samples() + 1, next.samples());
    assertEquals(next, CheckpointFile.verify(file));
  }

  /** A real store whose sample queries fail once {@code limit} GPUs have been read (the database went away). */
  private static final class FailingAfter implements TelemetryStore {
    private final TelemetryStore delegate;
    private final int limit;
    private final AtomicInteger reads = new AtomicInteger();

    FailingAfter(TelemetryStore delegate, int limit) {
      this.delegate = delegate;
      this.limit = limit;
    }

    @Override
    public Future<SamplePage> samples(SampleQuery query) {
      return reads.incrementAndGet() > limit ? Future.failedFuture("store unreachable") : delegate.samples(query);
    }

    @Override
    public Future<Void> start() {
      return delegate.start();
    }

    @Override
    public Future<Void> write(List<Sample> samples) {
      return delegate.write(samples);
    }

    @Override
    public Future<List<GpuRecord>> gpus(String hostname) {
      return delegate.gpus(hostname);
    }

    @Override
    public Future<Optional<GpuRecord>> gpu(String uuid) {
      return delegate.gpu(uuid);
    }

    @Override
    public Future<List<HostRecord>> hosts() {
      return delegate.hosts();
    }

    @Override
    public Future<List<String>> metrics() {
      return delegate.metrics();
    }

    @Override
    public Future<List<Bucket>> buckets(BucketQuery query) {
      return delegate.buckets(query);
    }

    @Override
    public Future<List<Sample>> latest(String uuid) {
      return delegate.latest(uuid);
    }

    @Override
    public Future<List<Sample>> latestOf(String metric, String hostname) {
      return delegate.latestOf(metric, hostname);
    }

    @Override
    public Future<Void> ping() {
      return delegate.ping();
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }
}
