package org.gputelemetry.pipeline.store.checkpoint;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.config.CheckpointSettings;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints one embedded store on a schedule: {@link #restore()} once at start, a checkpoint
 * every {@code interval} after {@link #start()}, and a final one in {@link #stop()}. The file work
 * runs on a worker thread ({@code executeBlocking}), never on the event loop; at most one
 * checkpoint runs at a time (a tick that finds one still running is skipped). Nothing here fails
 * the process: a checkpoint that cannot be written is logged and counted and the next tick tries
 * again; a checkpoint that cannot be restored is set aside as {@code <path>.corrupt} and the
 * store starts empty. Call from the owning verticle's context.
 */
public final class StoreCheckpoints {

  private static final Logger LOG = LoggerFactory.getLogger(StoreCheckpoints.class);

  private final Vertx vertx;
  private final CheckpointSettings settings;
  private final Path path;
  private final TelemetryStore store;
  private final Timer writeTime;
  private final Timer restoreTime;
  private final Counter writeFailures;
  private final Counter restoreFailures;
  private volatile double lastSuccessSeconds;
  private volatile long bytes;
  private volatile long samples;
  private Future<Void> running = Future.succeededFuture();
  private long timer = -1;
  private boolean stopped;

  public StoreCheckpoints(Vertx vertx, CheckpointSettings settings, TelemetryStore store, PipelineMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.path = Path.of(settings.path());
    this.store = store;
    this.writeTime = metrics.checkpointDuration("write");
    this.restoreTime = metrics.checkpointDuration("restore");
    this.writeFailures = metrics.checkpointFailures("write");
    this.restoreFailures = metrics.checkpointFailures("restore");
    metrics.checkpointState(() -> lastSuccessSeconds, () -> bytes, () -> samples);
  }

  /**
   * Restores the checkpoint at {@code path} into the store, when there is one. Never fails: a
   * corrupt, truncated or unreadable checkpoint is logged, counted, renamed to
   * {@code <path>.corrupt} (replacing an older one) and the store starts empty.
   */
  public Future<Void> restore() {
    return vertx.executeBlocking(() -> {
      if (!Files.exists(path)) {
        LOG.info("No checkpoint at {}: the store starts empty", path);
        return null;
      }
      long started = System.nanoTime();
      try {
        CheckpointFile.Stats s = CheckpointFile.restore(store, path);
        restoreTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        bytes = s.bytes();
        samples = s.samples();
        LOG.info("Restored {} samples of {} GPUs from checkpoint {} ({} bytes) in {} ms", s.samples(), s.gpus(), path,
            s.bytes(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      } catch (CorruptCheckpointException | IOException | RuntimeException e) {
        restoreFailures.increment();
        setAside(e);
      }
      return null;
    }, false);
  }

  private void setAside(Exception e) {
    Path aside = CheckpointFile.corrupt(path);
    try {
      Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
      LOG.error("Checkpoint {} cannot be restored ({}): set aside as {}, the store starts empty", path, e.getMessage(), aside);
    } catch (IOException moveFailed) {
      LOG.error("Checkpoint {} cannot be restored ({}) nor set aside ({}): the store starts empty and the next"
          + " checkpoint replaces it", path, e.getMessage(), moveFailed.getMessage());
    }
  }

  /** Writes a checkpoint every {@code interval} from now on. */
  public void start() {
    timer = vertx.setPeriodic(settings.interval().toMillis(), id -> {
      if (running.isComplete()) {
        running = checkpoint();
      } else {
        LOG.warn("Checkpoint still running after {}: this tick is skipped", settings.interval());
      }
    });
  }

  /** Stops the schedule and writes a final checkpoint, after the one running if any. Never fails. */
  public Future<Void> stop() {
    if (stopped) {
      return running;
    }
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    running = running.eventually(this::checkpoint);
    return running;
  }

  /** One checkpoint now, on a worker thread; completes (never fails) when it is written or has failed. */
  public Future<Void> checkpoint() {
    return vertx.<Void>executeBlocking(() -> {
      long started = System.nanoTime();
      try {
        CheckpointFile.Stats s = CheckpointFile.write(store, path);
        long nanos = System.nanoTime() - started;
        writeTime.record(nanos, TimeUnit.NANOSECONDS);
        bytes = s.bytes();
        samples = s.samples();
        lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
        LOG.debug("Checkpoint of {} samples of {} GPUs written to {} ({} bytes) in {} ms", s.samples(), s.gpus(), path,
            s.bytes(), TimeUnit.NANOSECONDS.toMillis(nanos));
      } catch (IOException | RuntimeException e) {
        writeFailures.increment();
        LOG.error("Checkpoint to {} failed (the previous one, if any, is kept): {}", path, e.toString());
      }
      return null;
    }, false);
  }
}
