package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.gputelemetry.pipeline.ingest.BatchSender;
import org.gputelemetry.pipeline.ingest.MicroClock;
import org.gputelemetry.pipeline.ingest.csv.CsvFormatException;
import org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.Transport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's CSV uploads: their records, and the one thread that ingests them, oldest first.
 * Shared by the gateway instances of a process, so any of them answers for any upload.
 *
 * <p>An upload's file is read with the streamer's reader ({@link DcgmCsvReader}: same columns,
 * same rejects) and its rows go through the transport in batches as a streamer's do
 * ({@link BatchSender}: at most {@value #MAX_IN_FLIGHT} batches unacknowledged, busy refusals and
 * failures retried), so a gateway-only process needs no collector of its own. Delivery is
 * at-least-once and the store de-duplicates on (GPU, metric, timestamp), so uploading a file again
 * (source timestamps) stores nothing twice. An upload whose batches the transport takes none of for
 * {@link #STALL_TIMEOUT} fails, with what was accepted so far kept.
 *
 * <p>Bounded: at most {@code gateway.upload.maxQueued} uploads are receiving, queued or running at
 * once ({@link #reserve} refuses more), and the records of at most {@value #KEEP_FINISHED} finished
 * uploads are kept (the oldest finished one is forgotten first). Records live in memory only: a
 * gateway that restarts forgets them, and an upload it was ingesting ends where it was (its
 * accepted rows stored, the rest not), so a client that gets 404 for its id after a restart uploads
 * the file again. Each file is deleted once ingested or refused. Thread-safe.
 */
public final class CsvUploads {

  private static final Logger LOG = LoggerFactory.getLogger(CsvUploads.class);
  /** Finished uploads whose records are kept. */
  static final int KEEP_FINISHED = 100;
  static final int BATCH_SIZE = 500;
  static final int MAX_IN_FLIGHT = 8;
  static final Duration BATCH_INTERVAL = Duration.ofMillis(50);
  static final int RING_SIZE = 8192;
  /** How long an upload may wait for the transport to take a batch before it fails. */
  static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

  private final Vertx vertx;
  private final Transport transport;
  private final PipelineMetrics metrics;
  private final GatewaySettings.Upload settings;
  private final Path dir;
  private final Map<String, CsvUpload> uploads = new LinkedHashMap<>();
  private final ExecutorService ingest = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "csv-upload");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;
  private final Duration stallTimeout;

  public CsvUploads(Vertx vertx, Transport transport, GatewaySettings.Upload settings, PipelineMetrics metrics) {
    this(vertx, transport, settings, metrics, STALL_TIMEOUT);
  }

  /** With a stall timeout of the caller's (tests). */
  CsvUploads(Vertx vertx, Transport transport, GatewaySettings.Upload settings, PipelineMetrics metrics,
             Duration stallTimeout) {
    this.stallTimeout = stallTimeout;
    this.vertx = vertx;
    this.transport = transport;
    this.settings = settings;
    this.metrics = metrics;
    this.dir = Path.of(settings.dir());
  }

  /** Creates the upload directory; fails naming the key when it cannot be written. */
  public void start() {
    try {
      Files.createDirectories(dir);
      if (!Files.isWritable(dir)) {
        throw new IOException("not writable");
      }
    } catch (IOException e) {
      throw new org.gputelemetry.pipeline.config.ConfigException("gateway.upload.dir",
          "cannot use " + dir.toAbsolutePath() + " for uploads: " + e.getMessage());
    }
  }

  GatewaySettings.Upload settings() {
    return settings;
  }

  /**
   * A new upload, receiving; {@code null} when {@code maxQueued} uploads are already receiving,
   * queued or running. Its file is {@code <dir>/<id>.csv}.
   */
  synchronized CsvUpload reserve(TimestampMode mode) {
    if (closed || active() >= settings.maxQueued()) {
      return null;
    }
    String id = UUID.randomUUID().toString();
    CsvUpload upload = new CsvUpload(id, dir.resolve(id + ".csv"), mode);
    uploads.put(id, upload);
    return upload;
  }

  /** The file is complete: queue it for ingestion. */
  void submit(CsvUpload upload) {
    upload.queued();
    try {
      ingest.execute(() -> {
        try {
          run(upload);
        } catch (RuntimeException e) {
          LOG.error("CSV upload {} failed unexpectedly", upload.id(), e);
          delete(upload.file());
          upload.failed("internal error: " + e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      delete(upload.file());
      upload.failed("the gateway is stopping");
    }
  }

  /** Whether {@code upload} is known and still receiving. */
  synchronized boolean isReceiving(CsvUpload upload) {
    return uploads.get(upload.id()) == upload && upload.status() == CsvUpload.Status.RECEIVING;
  }

  /** Receiving failed (too large, client gone): the upload is forgotten and its file deleted. */
  synchronized void abandon(CsvUpload upload) {
    uploads.remove(upload.id());
  }

  /** The upload, unless unknown or still receiving. */
  synchronized CsvUpload get(String id) {
    CsvUpload u = uploads.get(id);
    return u == null || u.status() == CsvUpload.Status.RECEIVING ? null : u;
  }

  /** Every upload the client knows of (not those still receiving), oldest first. */
  synchronized List<CsvUpload> list() {
    List<CsvUpload> out = new ArrayList<>();
    for (CsvUpload u : uploads.values()) {
      if (u.status() != CsvUpload.Status.RECEIVING) {
        out.add(u);
      }
    }
    return out;
  }

  /** Forgets a finished upload; returns it, or {@code null} when unknown. Throws 409 when not finished. */
  synchronized CsvUpload remove(String id) {
    CsvUpload u = get(id);
    if (u == null) {
      return null;
    }
    if (!u.status().finished()) {
      throw new ApiException(409, "upload " + id + " is " + u.status().label()
          + "; only a finished (done or failed) upload can be deleted");
    }
    uploads.remove(id);
    return u;
  }

  private int active() {
    int n = 0;
    for (CsvUpload u : uploads.values()) {
      if (!u.status().finished()) {
        n++;
      }
    }
    return n;
  }

  /** Forgets the oldest finished records past {@value #KEEP_FINISHED}. */
  private synchronized void trim() {
    int finished = 0;
    for (CsvUpload u : uploads.values()) {
      if (u.status().finished()) {
        finished++;
      }
    }
    var it = uploads.values().iterator();
    while (finished > KEEP_FINISHED && it.hasNext()) {
      if (it.next().status().finished()) {
        it.remove();
        finished--;
      }
    }
  }

  /** Ingests one upload on the ingest thread. */
  private void run(CsvUpload upload) {
    if (closed) {
      delete(upload.file());
      upload.failed("the gateway stopped before this upload was ingested");
      return;
    }
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(RING_SIZE);
    BatchSender sender = new BatchSender(vertx, transport, ring, metrics, "upload-" + upload.id(), BATCH_SIZE,
        BATCH_INTERVAL, MAX_IN_FLIGHT);
    upload.running(sender);
    Thread loop = new Thread(sender, "csv-upload-sender");
    loop.setDaemon(true);
    loop.start();
    Progress progress = new Progress(sender);
    String failure = null;
    boolean processing = upload.timestampMode() == TimestampMode.PROCESSING;
    MicroClock clock = new MicroClock();
    try (DcgmCsvReader reader = DcgmCsvReader.open(upload.file(), !processing, upload.rejects())) {
      Sample row;
      while (failure == null && (row = reader.next()) != null) {
        Sample out = processing ? row.withTimestamp(clock.nowMicros()) : row;
        while (!ring.offer(out)) {
          failure = progress.stalled();
          if (failure != null) {
            break;
          }
          LockSupport.parkNanos(200_000);
        }
        upload.rowRead();
      }
    } catch (CsvFormatException e) {
      failure = "not a DCGM CSV: " + e.getMessage();
    } catch (IOException | UncheckedIOException e) {
      failure = "cannot read the uploaded file: " + e.getMessage();
    }
    sender.finishDraining();
    while (failure == null && !(sender.idle() && !loop.isAlive())) {
      failure = progress.stalled();
      LockSupport.parkNanos(5_000_000);
    }
    delete(upload.file()); // before the status says finished
    if (failure != null) {
      sender.abort();
      upload.failed(failure);
      LOG.warn("CSV upload {} failed: {} ({} rows accepted)", upload.id(), failure, upload.rowsAccepted());
    } else {
      upload.done();
      LOG.info("CSV upload {} ingested: {} rows accepted, {} rejected", upload.id(), upload.rowsAccepted(),
          upload.rejects().total());
    }
    trim();
  }

  /** Whether the transport still takes batches: acknowledgements must keep coming while rows wait. */
  private final class Progress {
    private final BatchSender sender;
    private long acked;
    private long since = System.nanoTime();

    Progress(BatchSender sender) {
      this.sender = sender;
    }

    /** Why the upload must stop, or {@code null} while it may go on. */
    String stalled() {
      if (closed) {
        return "the gateway stopped while this upload was being ingested (" + sender.ackedRows()
            + " rows were accepted before)";
      }
      long now = System.nanoTime();
      long a = sender.ackedRows();
      if (a != acked) {
        acked = a;
        since = now;
        return null;
      }
      if (now - since > stallTimeout.toNanos()) {
        return "the " + transport.type() + " transport took no batch for " + stallTimeout.toSeconds()
            + "s (is a collector running?)";
      }
      return null;
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete upload file {}: {}", file, e.getMessage());
    }
  }

  /** Stops ingesting: the running upload ends (failed), queued ones fail; waits a little for the thread. */
  public void close() {
    closed = true;
    ingest.shutdown();
    try {
      ingest.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
