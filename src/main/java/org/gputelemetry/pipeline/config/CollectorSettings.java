package org.gputelemetry.pipeline.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Settings of the collector role ({@code collector} block). Immutable. The store the collector
 * writes to is configured by {@link StoreSettings} (accepted as {@code collector.store}).
 *
 * @param workers writer threads draining the ring into the store concurrently
 * @param batchSize most samples per store write (one transaction)
 * @param pollInterval longest a writer sleeps when the ring is empty
 * @param bufferSize capacity in samples of the ring between the transport and the writers;
 *                   when full, new batches are refused and the sender retries (backpressure)
 */
public record CollectorSettings(int workers, int batchSize, Duration pollInterval, int bufferSize) {

  public static CollectorSettings fromJson(JsonObject json) {
    DescriptorJson j = DescriptorJson.of(json, "collector");
    CollectorSettings s = fromJson(j);
    j.check();
    return s;
  }

  /** Reads the block, recording problems in {@code j} (see {@link DescriptorJson#check()}). */
  static CollectorSettings fromJson(DescriptorJson j) {
    j.allowOnly();
    CollectorSettings s = new CollectorSettings(
        j.intValue("workers", 2, 1, 64),
        j.intValue("batchSize", 5000, 1, 1_000_000),
        j.duration("pollInterval", Duration.ofMillis(200)),
        j.intValue("bufferSize", 65_536, 1, 1 << 26));
    if (s.pollInterval.isZero()) {
      j.problem("pollInterval", "must be greater than 0");
    }
    return s;
  }

  public JsonObject toJson() {
    return new JsonObject().put("workers", workers).put("batchSize", batchSize)
        .put("pollInterval", Durations.format(pollInterval)).put("bufferSize", bufferSize);
  }
}
