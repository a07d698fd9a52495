package org.gputelemetry.pipeline.streamer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.gputelemetry.pipeline.config.StreamerSettings;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.gputelemetry.pipeline.ingest.csv.RejectReason;
import org.gputelemetry.pipeline.streamer.source.TelemetrySource;

/**
 * The {@code csv} source: replays a DCGM exporter CSV (by default the bundled sample). The file's
 * GPUs are split among {@code workers} threads ({@link ReplayWorker}); a one-pass file (or a large
 * looped one) is streamed to the workers by a reader thread, a small looped one parsed once and
 * replayed from memory (see {@link RowSource}). Bad rows are counted by reason and skipped.
 */
final class CsvReplaySource implements TelemetrySource {

  private final StreamerSettings settings;
  private final Supplier<Assignment> assignment;
  private final RowSource rows;
  private final RejectCounter rejects = new RejectCounter();
  private final List<ReplayWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private RowFeed feed;
  private String held = "";

  CsvReplaySource(StreamerSettings settings, Supplier<Assignment> assignment) {
    this.settings = settings;
    this.assignment = assignment;
    this.rows = new RowSource(settings.csvPath(), settings.timestampMode() == TimestampMode.SOURCE);
  }

  @Override
  public String type() {
    return "csv";
  }

  @Override
  public Future<Void> start(Context context) {
    for (RejectReason reason : RejectReason.values()) {
      context.metrics().rowsRejected(reason.label(), () -> rejects.count(reason));
    }
    return context.vertx().executeBlocking(() -> rows.slices(settings.workers(), settings.loopMode(), rejects), false)
        .map(slices -> {
          List<Iterable<Sample>> perWorker = slices.perWorker();
          for (int i = 0; i < perWorker.size(); i++) {
            ReplayWorker w = new ReplayWorker(perWorker.get(i), context.ring(), settings.loopMode(),
                settings.timestampMode() == TimestampMode.PROCESSING, settings.rate(), assignment);
            workers.add(w);
            Thread t = new Thread(w, "streamer-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
          }
          feed = slices.feed();
          held = feed == null ? slices.heldRows() + " rows held in memory, " + rejects.total() + " rejected"
              : "streamed from the file";
          if (feed != null) {
            Thread reader = new Thread(feed, "streamer-reader");
            reader.setDaemon(true);
            reader.start();
          }
          threads.forEach(Thread::start);
          return null;
        });
  }

  @Override
  public String describe() {
    return rows.describe() + " (" + held + ") with " + settings.workers() + " workers, "
        + (settings.loopMode() ? "loop" : "one-pass") + " mode, " + settings.timestampMode() + " timestamps, rate "
        + (settings.rate() == 0 ? "unlimited" : settings.rate() + " rows/s per worker");
  }

  @Override
  public boolean finite() {
    return !settings.loopMode();
  }

  @Override
  public boolean exhausted() {
    return finite() && threads.stream().noneMatch(Thread::isAlive);
  }

  @Override
  public long emitted() {
    return workers.stream().mapToLong(ReplayWorker::emitted).sum();
  }

  @Override
  public JsonObject status() {
    return new JsonObject().put("rowsRejected", rejects.total());
  }

  @Override
  public void stop() {
    workers.forEach(ReplayWorker::stop);
    if (feed != null) {
      feed.stop();
    }
  }

  @Override
  public void await(long millis) throws InterruptedException {
    for (Thread t : threads) {
      t.join(millis);
    }
  }
}
