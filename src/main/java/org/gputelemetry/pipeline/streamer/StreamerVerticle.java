package org.gputelemetry.pipeline.streamer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.config.StreamerSettings;
import org.gputelemetry.pipeline.ingest.BatchSender;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.streamer.source.DcgmExporterSource;
import org.gputelemetry.pipeline.streamer.source.SimulatedFleetSource;
import org.gputelemetry.pipeline.streamer.source.TelemetrySource;
import org.gputelemetry.pipeline.transport.Transport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streamer role: reads DCGM telemetry from its source ({@code streamer.source.type}: a DCGM
 * exporter CSV replayed, by default the bundled sample, a simulated fleet, or dcgm-exporter endpoints
 * scraped over HTTP) into the transport.
 * The source puts samples into a bounded JCTools MPSC ring; one {@link BatchSender} thread drains
 * it into batches. The GPUs are split among streamer instances by {@link Assignment}. A one-pass
 * replay idles once every row is acknowledged and reports itself finished.
 */
public final class StreamerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StreamerVerticle.class);

  private final StreamerSettings settings;
  private final Transport transport;
  private final PipelineMetrics metrics;
  private final String instanceId;
  private final TelemetrySource source;
  private final Promise<Void> finished = Promise.promise();
  private volatile Assignment assignment;
  private BatchSender sender;
  private Thread senderThread;
  private long finishTimer = -1;

  public StreamerVerticle(StreamerSettings settings, Transport transport, PipelineMetrics metrics, String instanceId) {
    this.settings = settings;
    this.transport = transport;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.assignment = new Assignment(settings.instanceIndex(), settings.instanceCount());
    this.source = switch (settings.source().type()) {
      case SIMULATE -> new SimulatedFleetSource(settings.source().fleet());
      case DCGM_EXPORTER -> new DcgmExporterSource(settings.source().targets(), settings.source().scrape(), instanceId,
          settings.bufferSize(), transport::shareTargets);
      case CSV -> new CsvReplaySource(settings, () -> assignment);
    };
  }

  @Override
  public Future<?> start() {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(settings.bufferSize());
    sender = new BatchSender(vertx, transport, ring, metrics, instanceId, settings.batchSize(),
        settings.streamInterval(), settings.maxInFlight());
    return source.start(new TelemetrySource.Context(vertx, ring, this::share, metrics)).map(v -> {
      metrics.queueDepth("streamer", ring::size);
      senderThread = new Thread(sender, "streamer-batcher");
      senderThread.setDaemon(true);
      senderThread.start();
      if (source.finite()) {
        finishTimer = vertx.setPeriodic(100, id -> checkFinished());
      }
      LOG.info("Streamer {} reading source {}: {}", instanceId, source.type(), source.describe());
      return null;
    });
  }

  /**
   * The current share as a test by GPU UUID (one assignment for the whole pass or tick); the
   * dcgm-exporter source applies it to target URLs.
   */
  private Predicate<String> share() {
    Assignment now = assignment;
    return uuid -> GpuPartitioner.owns(now, uuid);
  }

  private void checkFinished() {
    if (!source.exhausted()) {
      return;
    }
    sender.finishDraining();
    if (!senderThread.isAlive() && sender.idle()) {
      vertx.cancelTimer(finishTimer);
      LOG.info("Streamer {} finished its pass: {} rows acknowledged", instanceId, sender.ackedRows());
      finished.tryComplete();
    }
  }

  /** Completes when a one-pass replay has been fully acknowledged; never in loop mode or for a live source. */
  public Future<Void> finished() {
    return finished.future();
  }

  /** Changes which GPUs this streamer owns (dynamic split); takes effect at the source's next pass or tick. */
  public void assign(Assignment next) {
    if (!next.equals(assignment)) {
      LOG.info("Streamer {} now owns share {} of {}", instanceId, next.index() + 1, next.count());
      assignment = next;
    }
  }

  /** State for readiness detail. */
  public JsonObject status() {
    return new JsonObject().put("source", source.type()).put("finished", finished.future().isComplete())
        .put("rowsEmitted", source.emitted())
        .put("rowsAcknowledged", sender == null ? 0 : sender.ackedRows())
        .mergeIn(source.status())
        .put("share", (assignment.index() + 1) + "/" + assignment.count());
  }

  @Override
  public Future<?> stop() {
    source.stop();
    if (senderThread == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      source.await(2_000);
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
