package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.FakeTransport;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.gputelemetry.pipeline.transport.BusyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload registry and its ingest thread against a transport the test controls: the queue bound,
 * 409 for an upload still running, busy refusals retried until taken, a transport that takes
 * nothing failing the upload, and the bound on finished records.
 */
class CsvUploadsTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private final List<SampleBatch> sent = new CopyOnWriteArrayList<>();
  /** What the fake transport answers: null = accept, else the failure. */
  private volatile RuntimeException refusal;
  /** When set, sends never complete. */
  private final AtomicBoolean hang = new AtomicBoolean();
  private CsvUploads uploads;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (uploads != null) {
      uploads.close();
    }
    vertx.close().await();
  }

  private CsvUploads uploads(int maxQueued, Duration stall) {
    FakeTransport transport = new FakeTransport() {
      @Override
      public Future<Void> send(SampleBatch batch) {
        if (hang.get()) {
          return Promise.<Void>promise().future();
        }
        RuntimeException r = refusal;
        if (r != null) {
          return Future.failedFuture(r);
        }
        sent.add(batch);
        return Future.succeededFuture();
      }
    };
    uploads = new CsvUploads(vertx, transport, new GatewaySettings.Upload(true, dir.toString(), 1 << 20, maxQueued),
        TestMetrics.create(), stall);
    uploads.start();
    return uploads;
  }

  private CsvUpload submit(CsvUploads u, String csv) throws IOException {
    CsvUpload upload = u.reserve(TimestampMode.SOURCE);
    assertNotNull(upload);
    Files.writeString(upload.file(), csv, StandardCharsets.UTF_8);
    upload.bytes(csv.length());
    u.submit(upload);
    return upload;
  }

  private static String csv(String uuid) {
    return CsvUploadIT.HEADER + CsvUploadIT.row("2025-07-18T20:42:34Z", "DCGM_FI_DEV_GPU_TEMP", uuid, "h", "40");
  }

  private static void awaitFinished(CsvUpload u) {
    Poll.until("upload " + u.id() + " finished", 20, () -> u.status().finished());
  }

  @Test
  void reserveRefusesPastMaxQueuedUntilOneFinishes() throws IOException {
    CsvUploads u = uploads(2, Duration.ofMinutes(1));
    hang.set(true);
    CsvUpload first = submit(u, csv("GPU-a"));
    CsvUpload receiving = u.reserve(TimestampMode.SOURCE);
    assertNotNull(receiving);
    assertNull(u.reserve(TimestampMode.SOURCE), "two are receiving or running");
    u.abandon(receiving);
    assertNotNull(u.reserve(TimestampMode.SOURCE), "an abandoned upload frees its slot");
    assertTrue(u.list().stream().noneMatch(x -> x.status() == CsvUpload.Status.RECEIVING), "not listed while receiving");
    assertEquals(List.of(first), u.list());
  }

  @Test
  void aRunningUploadCannotBeDeletedAFinishedOneCan() throws IOException {
    CsvUploads u = uploads(4, Duration.ofSeconds(1));
    hang.set(true);
    CsvUpload running = submit(u, csv("GPU-b"));
    Poll.until("running", 5, () -> running.status() == CsvUpload.Status.RUNNING);
    ApiException conflict = assertThrows(ApiException.class, () -> u.remove(running.id()));
    assertEquals(409, conflict.status());
    awaitFinished(running);
    assertEquals(CsvUpload.Status.FAILED, running.status(), "the transport took nothing for the stall timeout");
    assertTrue(running.toJson().getString("error").contains("fake transport took no batch"), running.toJson().encode());
    assertEquals(running, u.remove(running.id()));
    assertNull(u.get(running.id()));
    assertNull(u.remove(running.id()));
    assertTrue(Files.notExists(running.file()), "the file is deleted after ingestion");
  }

  @Test
  void busyRefusalsAreRetriedUntilTheTransportTakesTheBatch() throws IOException {
    CsvUploads u = uploads(4, Duration.ofMinutes(1));
    refusal = new BusyException("collector full");
    CsvUpload upload = submit(u, csv("GPU-c"));
    Poll.until("running", 5, () -> upload.status() == CsvUpload.Status.RUNNING);
    Thread.yield();
    assertTrue(sent.isEmpty());
    refusal = null;
    awaitFinished(upload);
    assertEquals(CsvUpload.Status.DONE, upload.status(), upload.toJson().encode());
    assertEquals(1, upload.rowsAccepted());
    assertEquals(1, sent.stream().mapToInt(SampleBatch::size).sum(), "sent once it was taken");
    assertTrue(sent.get(0).producerId().startsWith("upload-" + upload.id()));
  }

  @Test
  void onlyTheNewestFinishedRecordsAreKept() throws IOException {
    CsvUploads u = uploads(4, Duration.ofMinutes(1));
    CsvUpload first = null;
    CsvUpload last = null;
    for (int i = 0; i < CsvUploads.KEEP_FINISHED + 5; i++) {
      last = submit(u, csv("GPU-k" + i));
      if (first == null) {
        first = last;
      }
      awaitFinished(last);
    }
    assertEquals(CsvUploads.KEEP_FINISHED, u.list().size());
    assertNull(u.get(first.id()), "the oldest finished ones are forgotten");
    assertNotNull(u.get(last.id()));
  }
}
