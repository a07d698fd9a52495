package org.gputelemetry.pipeline.streamer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.streamer.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.streamer.csv.RejectCounter;

/**
 * Where a streamer's rows come from: the configured DCGM CSV or the bundled sample. Loop mode
 * parses the file once and replays it from memory; one-pass mode streams it, so a large export
 * needs no memory. Thread-safe: each call opens its own reader.
 */
final class RowSource {

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

  /** Every valid row of the file, split per worker (see {@link GpuPartitioner}). */
  List<List<Sample>> readSlices(int instanceIndex, int instanceCount, int workers, RejectCounter rejects)
      throws IOException {
    List<List<Sample>> slices = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slices.add(new ArrayList<>());
    }
    try (DcgmCsvReader reader = open(rejects)) {
      for (Sample s = reader.next(); s != null; s = reader.next()) {
        if (owns(s, instanceIndex, instanceCount)) {
          slices.get(GpuPartitioner.worker(s.gpu().uuid(), workers)).add(s);
        }
      }
    }
    return slices;
  }

  static boolean owns(Sample s, int instanceIndex, int instanceCount) {
    return instanceCount == 1 || GpuPartitioner.owner(s.gpu().uuid(), instanceCount) == instanceIndex;
  }
}
