package org.gputelemetry.pipeline.collector;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.config.CollectorSettings;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.CommittedBatches;
import org.gputelemetry.pipeline.transport.Transport;
import org.jctools.queues.MpmcArrayQueue;

/**
 * The collector role: takes batches from the transport into a bounded JCTools ring and lets
 * {@code workers} {@link StoreWriter} threads write them to the store in large batches. A batch
 * is acknowledged to the transport only after the store committed it. When the ring holds
 * {@code bufferSize} samples, new batches are refused as busy and the sender retries later, so
 * an outage of the store slows the streamers down instead of losing samples.
 */
public final class CollectorVerticle extends VerticleBase {

  private final CollectorSettings settings;
  private final TelemetryStore store;
  private final Transport transport;
  private final PipelineMetrics metrics;
  private final AtomicLong queuedSamples = new AtomicLong();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  private final List<StoreWriter> writers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private MpmcArrayQueue<PendingBatch> ring;

  private final Future<Void> storeStarted;

  /**
   * @param storeStarted completes when the store is ready to write; writers wait for it (a failed
   *                     future also releases them: they then retry each write with backoff)
   */
  public CollectorVerticle(CollectorSettings settings, TelemetryStore store, Transport transport, PipelineMetrics metrics,
                           Future<Void> storeStarted) {
    this.storeStarted = storeStarted;
    this.settings = settings;
    this.store = store;
    this.transport = transport;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    // a batch holds at least one sample, so bufferSize slots always suffice; capped to bound memory
    ring = new MpmcArrayQueue<>(Math.max(16, Math.min(settings.bufferSize(), 1 << 16)));
    metrics.queueDepth("collector", queuedSamples::get);
    for (int i = 0; i < settings.workers(); i++) {
      StoreWriter w = new StoreWriter(this::committed, store, ring, queuedSamples, metrics, settings.batchSize(),
          settings.pollInterval().toNanos(), storeDown, storeStarted);
      writers.add(w);
      Thread t = new Thread(w, "collector-writer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return transport.consume(this::accept);
  }

  /** A batch is in the store: the local live feed gets it, and gateways in other processes through the transport. */
  private void committed(SampleBatch batch, long committedMicros) {
    CommittedBatches.publishLocally(vertx.eventBus(), batch, committedMicros);
    transport.shareCommitted(batch, committedMicros);
  }

  private Future<Void> accept(SampleBatch batch) {
    long queued = queuedSamples.get();
    if (queued > 0 && queued + batch.size() > settings.bufferSize()) {
      metrics.batchesRefused.increment();
      return Future.failedFuture(new BusyException("collector buffer full (" + queued + " samples queued)"));
    }
    Promise<Void> ack = Promise.promise();
    if (!ring.offer(new PendingBatch(batch, ack))) {
      metrics.batchesRefused.increment();
      return Future.failedFuture(new BusyException("collector ring full"));
    }
    queuedSamples.addAndGet(batch.size());
    writers.forEach(StoreWriter::wake);
    return ack.future();
  }

  /** Whether the last store write failed (readiness detail). */
  public boolean storeFailing() {
    return storeDown.get();
  }

  public JsonObject status() {
    return new JsonObject().put("queuedSamples", queuedSamples.get()).put("storeFailing", storeDown.get());
  }

  @Override
  public Future<?> stop() {
    // the transport is the process's (closed by the dispatcher); writers drain the ring before they exit
    return vertx.executeBlocking(() -> {
      writers.forEach(StoreWriter::stop);
      for (Thread t : threads) {
        t.join(5_000);
      }
      return null;
    }, false);
  }
}
