package org.gputelemetry.pipeline.streamer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.StreamerSettings;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.streamer.csv.RejectCounter;
import org.gputelemetry.pipeline.streamer.csv.RejectReason;
import org.gputelemetry.pipeline.transport.Transport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streamer role: replays DCGM telemetry (a DCGM exporter CSV, by default the bundled sample)
 * into the transport. {@code workers} threads put rows into a bounded JCTools MPSC ring; one
 * {@link BatchSender} thread drains it into batches. Bad rows are counted by reason and skipped.
 * The file's GPUs are split among workers, and among streamer instances by {@link Assignment}; a
 * one-pass file (or a large looped one) is streamed to the workers by a reader thread, a small
 * looped one parsed once and replayed from memory (see {@link RowSource}). In one-pass mode the streamer idles once every row is
 * acknowledged and reports itself finished.
 */
public final class StreamerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StreamerVerticle.class);

  private final StreamerSettings settings;
  private final Transport transport;
  private final PipelineMetrics metrics;
  private final String instanceId;
  private final RejectCounter rejects = new RejectCounter();
  private final List<ReplayWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Promise<Void> finished = Promise.promise();
  private volatile Assignment assignment;
  private BatchSender sender;
  private RowFeed feed;
  private Thread senderThread;
  private long finishTimer = -1;

  public StreamerVerticle(StreamerSettings settings, Transport transport, PipelineMetrics metrics, String instanceId) {
    this.settings = settings;
    this.transport = transport;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.assignment = new Assignment(settings.instanceIndex(), settings.instanceCount());
  }

  @Override
  public Future<?> start() {
    RowSource source = new RowSource(settings.csvPath(), settings.timestampMode() == TimestampMode.SOURCE);
    for (RejectReason reason : RejectReason.values()) {
      metrics.rowsRejected(reason.label(), () -> rejects.count(reason));
    }
    return vertx.executeBlocking(() -> source.slices(settings.workers(), settings.loopMode(), rejects), false)
        .map(slices -> {
          startThreads(slices);
          LOG.info("Streamer {} replaying {} ({}) with {} workers, {} mode, {} timestamps, rate {}",
              instanceId, source.describe(), slices.feed() == null
                  ? slices.heldRows() + " rows held in memory, " + rejects.total() + " rejected"
                  : "streamed from the file",
              settings.workers(), settings.loopMode() ? "loop" : "one-pass", settings.timestampMode(),
              settings.rate() == 0 ? "unlimited" : settings.rate() + " rows/s per worker");
          return null;
        });
  }

  private void startThreads(RowSource.Slices slices) {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(settings.bufferSize());
    metrics.queueDepth("streamer", ring::size);
    sender = new BatchSender(vertx, transport, ring, metrics, instanceId, settings);
    List<Iterable<Sample>> perWorker = slices.perWorker();
    for (int i = 0; i < perWorker.size(); i++) {
      ReplayWorker w = new ReplayWorker(perWorker.get(i), ring, settings.loopMode(),
          settings.timestampMode() == TimestampMode.PROCESSING, settings.rate(), () -> assignment);
      workers.add(w);
      Thread t = new Thread(w, "streamer-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    senderThread = new Thread(sender, "streamer-batcher");
    senderThread.setDaemon(true);
    senderThread.start();
    feed = slices.feed();
    if (feed != null) {
      Thread reader = new Thread(feed, "streamer-reader");
      reader.setDaemon(true);
      reader.start();
    }
    threads.forEach(Thread::start);
    if (!settings.loopMode()) {
      finishTimer = vertx.setPeriodic(100, id -> checkFinished());
    }
  }

  private void checkFinished() {
    if (threads.stream().anyMatch(Thread::isAlive)) {
      return;
    }
    sender.finishDraining();
    if (!senderThread.isAlive() && sender.idle()) {
      vertx.cancelTimer(finishTimer);
      LOG.info("Streamer {} finished its pass: {} rows acknowledged", instanceId, sender.ackedRows());
      finished.tryComplete();
    }
  }

  /** Completes when a one-pass replay has been fully acknowledged; never in loop mode. */
  public Future<Void> finished() {
    return finished.future();
  }

  /** Changes which GPUs this streamer owns (dynamic split); takes effect at each worker's next pass. */
  public void assign(Assignment next) {
    if (!next.equals(assignment)) {
      LOG.info("Streamer {} now owns share {} of {}", instanceId, next.index() + 1, next.count());
      assignment = next;
    }
  }

  /** State for readiness detail. */
  public JsonObject status() {
    return new JsonObject().put("finished", finished.future().isComplete())
        .put("rowsEmitted", workers.stream().mapToLong(ReplayWorker::emitted).sum())
        .put("rowsAcknowledged", sender == null ? 0 : sender.ackedRows())
        .put("rowsRejected", rejects.total())
        .put("share", (assignment.index() + 1) + "/" + assignment.count());
  }

  @Override
  public Future<?> stop() {
    workers.forEach(ReplayWorker::stop);
    if (feed != null) {
      feed.stop();
    }
    if (sender == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      for (Thread t : threads) {
        t.join(2_000);
      }
      sender.finishDraining();
      senderThread.join(2_000);
      long deadline = System.currentTimeMillis() + 5_000;
      while (!sender.idle() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      if (!sender.idle()) {
        LOG.warn("Streamer {} stopped with {} rows unacknowledged", instanceId, sender.unackedRows());
      }
      sender.abort();
      return null;
    }, false);
  }
}
