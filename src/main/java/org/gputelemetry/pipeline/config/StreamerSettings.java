package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Settings of the streamer role ({@code streamer} block of the descriptor). Immutable.
 *
 * @param csvPath DCGM exporter CSV to replay; {@code null} replays the bundled sample
 * @param loopMode replay the file forever ({@code true}) or make one pass and idle
 * @param timestampMode {@code processing} stamps rows when processed, {@code source} keeps the CSV's
 * @param rate rows per second per worker; 0 means as fast as possible
 * @param workers threads replaying rows; the file's GPUs are split among them
 * @param batchSize most rows per transport message
 * @param streamInterval longest time a partial batch waits before it is sent
 * @param bufferSize capacity in rows of the ring between the workers and the batching loop
 * @param maxInFlight batches sent and not yet acknowledged; when reached the streamer waits. The
 *                    rows in flight must cover what the collectors commit at once (workers x
 *                    batchSize, twice over), or the pipeline waits on commit round trips
 * @param instanceIndex this streamer's index among {@code instanceCount} (static GPU split)
 * @param instanceCount how many streamers share the input; each GPU goes to exactly one
 * @param source which source the streamer reads ({@code source} block)
 */
public record StreamerSettings(String csvPath, boolean loopMode, TimestampMode timestampMode, long rate, int workers,
                               int batchSize, Duration streamInterval, int bufferSize, int maxInFlight,
                               int instanceIndex, int instanceCount, SourceSettings source) {

  /** Defaults: the bundled sample in a loop, every GPU updated about once a second. */
  public static StreamerSettings defaults() {
    return fromJson(new JsonObject());
  }

  public static StreamerSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "streamer");
    StreamerSettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static StreamerSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    int count = j.intValue("instanceCount", 1, 1, 10_000);
    StreamerSettings s = new StreamerSettings(
        j.string("csvPath", null),
        j.bool("loopMode", true),
        j.choice("timestampMode", TimestampMode.PROCESSING, TimestampMode.class),
        j.integer("rate", 1250, 0, 100_000_000),
        j.intValue("workers", 2, 1, 64),
        j.intValue("batchSize", 500, 1, 100_000),
        j.duration("streamInterval", Duration.ofMillis(100)),
        j.intValue("bufferSize", 65_536, 2, 1 << 24),
        j.intValue("maxInFlight", 32, 1, 1024),
        j.intValue("instanceIndex", 0, 0, count - 1),
        count,
        SourceSettings.fromJson(j.child("source")));
    if (s.streamInterval.isZero()) {
      j.problem("streamInterval", "must be greater than 0");
    }
    return s;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("csvPath", csvPath).put("loopMode", loopMode).put("timestampMode", timestampMode.configName())
        .put("rate", rate).put("workers", workers).put("batchSize", batchSize)
        .put("streamInterval", Durations.format(streamInterval)).put("bufferSize", bufferSize)
        .put("maxInFlight", maxInFlight).put("instanceIndex", instanceIndex).put("instanceCount", instanceCount)
        .put("source", source.toJson());
  }
}
