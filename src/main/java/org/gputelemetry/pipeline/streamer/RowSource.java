package org.gputelemetry.pipeline.streamer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;

/**
 * Where a streamer's rows come from: the configured DCGM CSV or the bundled sample, split per
 * worker by GPU ({@link GpuPartitioner#worker}), each GPU's rows in file order.
 *
 * <p>One-pass mode always streams the file through a {@link RowFeed}: memory does not depend on
 * the file's size. Loop mode parses a file of at most {@link #LOOP_HELD_MAX_BYTES} (and the
 * bundled sample) once and replays it from memory; a bigger looped file is streamed and re-read
 * for every pass, so a large export never has to fit in the heap. Thread-safe: each call opens
 * its own reader.
 */
final class RowSource {

  /**
   * Largest file loop mode keeps parsed in memory: 32 MiB is at most about a million rows of
   * the shortest valid shape (some 60 MB of heap), some 70,000 of DCGM's usual 470-byte rows.
   */
  static final long LOOP_HELD_MAX_BYTES = 32L * 1024 * 1024;

  private final Path path;
  private final boolean sourceTimestamps;

  /** @param csvPath a file, or {@code null} for the bundled sample */
  RowSource(String csvPath, boolean sourceTimestamps) {
    this.path = csvPath == null ? null : Path.of(csvPath);
    this.sourceTimestamps = sourceTimestamps;
    if (path != null && !Files.isReadable(path)) {
      throw new ConfigException("streamer.csvPath", "no readable file at " + path.toAbsolutePath());
    }
  }

  String describe() {
    return path == null ? "bundled sample" : path.toString();
  }

  DcgmCsvReader open(RejectCounter rejects) throws IOException {
    return path == null
        ? DcgmCsvReader.openBundledSample(sourceTimestamps, rejects)
        : DcgmCsvReader.open(path, sourceTimestamps, rejects);
  }

  /**
   * The workers' rows: per worker an {@link Iterable} whose every {@code iterator()} is one pass.
   * Streamed slices need {@link Slices#feed()} running on a thread of its own.
   */
  Slices slices(int workers, boolean loop, RejectCounter rejects) throws IOException {
    if (loop && (path == null || Files.size(path) <= LOOP_HELD_MAX_BYTES)) {
      List<List<Sample>> held = readSlices(workers, rejects);
      return new Slices(new ArrayList<>(held), null, held.stream().mapToLong(List::size).sum());
    }
    RowFeed feed = new RowFeed(this, workers, loop, rejects);
    List<Iterable<Sample>> slices = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slices.add(feed.slice(i));
    }
    return new Slices(slices, feed, -1);
  }

  /** Every valid row of the file in memory, split per worker. */
  List<List<Sample>> readSlices(int workers, RejectCounter rejects) throws IOException {
    List<List<Sample>> slices = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slices.add(new ArrayList<>());
    }
    try (DcgmCsvReader reader = open(rejects)) {
      for (Sample s = reader.next(); s != null; s = reader.next()) {
        slices.get(GpuPartitioner.worker(s.gpu().uuid(), workers)).add(s);
      }
    }
    return slices;
  }

  /**
   * Each worker's rows; the feed that streams them and -1 rows held, or a {@code null} feed and
   * the number of rows held in memory.
   */
  record Slices(List<Iterable<Sample>> perWorker, RowFeed feed, long heldRows) {
  }
}
