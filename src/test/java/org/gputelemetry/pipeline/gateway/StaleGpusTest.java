package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.testutil.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stale-GPU count behind {@code telemetry_gpus_stale}, on a real memory store. */
class StaleGpusTest {

  private final Vertx vertx = Vertx.vertx();
  private final MemoryTelemetryStore store = new MemoryTelemetryStore(100);

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private static Sample at(String uuid, long micros) {
    return new Sample(new Gpu(uuid, 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a"), "m", micros, 1, null, null, null);
  }

  @Test
  void countsTheGpusWhoseNewestSampleIsOlderThanStaleAfterAndFollowsThemWhenTheyReturn() {
    long now = Timestamps.nowMicros();
    await(store.write(List.of(at("GPU-gone", now - 600_000_000L), at("GPU-live", now), at("GPU-late", now - 400_000_000L))));
    StaleGpus stale = new StaleGpus(vertx, store, Duration.ofMinutes(5));
    assertEquals(0, stale.count(), "nothing counted yet");
    assertEquals(2, await(stale.refresh()));
    assertEquals(2, stale.count());
    await(store.write(List.of(at("GPU-late", Timestamps.nowMicros()))));
    assertEquals(1, await(stale.refresh()), "a GPU that reports again is active");
  }

  @Test
  void aGpuIsStaleOnlyPastStaleAfter() {
    Gpu g = new Gpu("GPU-x", 0, null, null, null);
    long now = Timestamps.nowMicros();
    Duration after = Duration.ofSeconds(30);
    assertFalse(StaleGpus.isStale(new GpuRecord(g, now - 30_000_000L, now - 30_000_000L), now, after));
    assertTrue(StaleGpus.isStale(new GpuRecord(g, now - 30_000_001L, now - 30_000_001L), now, after));
  }

  @Test
  void theCountIsRefreshedEveryHalfStaleAfterWithinOneAndThirtySeconds() {
    assertEquals(Duration.ofSeconds(30), StaleGpus.period(Duration.ofMinutes(5)));
    assertEquals(Duration.ofSeconds(5), StaleGpus.period(Duration.ofSeconds(10)));
    assertEquals(Duration.ofSeconds(1), StaleGpus.period(Duration.ofMillis(500)));
  }

  @Test
  void theTimerRecountsAfterStart() {
    StaleGpus stale = new StaleGpus(vertx, store, Duration.ofSeconds(2));
    stale.start();
    await(store.write(List.of(at("GPU-old", Timestamps.nowMicros() - 10_000_000L))));
    Poll.until("the periodic refresh (1 s) counts the stale GPU", 10, () -> stale.count() == 1);
    stale.stop();
  }
}
