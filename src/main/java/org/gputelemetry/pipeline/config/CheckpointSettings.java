package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Checkpoints of the embedded store ({@code store.checkpoint} block): a periodic snapshot of the
 * memory store on disk, restored at start. Meaningless with {@code store.type: postgres} (the
 * samples are durable there): the process warns once and ignores the block. Immutable.
 *
 * @param enabled write checkpoints and restore the newest one at start
 * @param path the checkpoint file; its directory also holds the temporary file being written and a
 *     set-aside {@code .corrupt} copy
 * @param interval how often a checkpoint is written (one more is written on a clean stop)
 */
public record CheckpointSettings(boolean enabled, String path, Duration interval) {

  public static final String DEFAULT_PATH = "data/checkpoint";
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

  /** Reads the block, recording problems in {@code j}. */
  static CheckpointSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    boolean enabled = j.bool("enabled", false);
    String path = j.string("path", DEFAULT_PATH);
    Duration interval = j.duration("interval", DEFAULT_INTERVAL);
    if (path == null || path.isBlank()) {
      j.problem("path", "name the checkpoint file");
    }
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      j.problem("interval", "must be at least 1s, got " + Durations.format(interval));
    }
    return new CheckpointSettings(enabled, path, interval);
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("path", path).put("interval", Durations.format(interval));
  }
}
