package org.gputelemetry.pipeline.store;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.junit.jupiter.api.Test;

class MemoryTelemetryStoreTest extends TelemetryStoreContractTest {

  @Override
  protected TelemetryStore createStore() {
    return new MemoryTelemetryStore(10_000);
  }

  @Test
  void keepsAtMostMaxEntriesPerGpuDroppingTheOldest() {
    store = new MemoryTelemetryStore(100);
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      batch.add(sample(GPU_A, "m", sec(i), i));
    }
    await(store.write(batch));
    List<Sample> kept = all(GPU_A.uuid());
    assertEquals(100, kept.size());
    assertEquals(sec(150), kept.get(0).timestampMicros());
    assertEquals(sec(249), kept.get(99).timestampMicros());
  }

  @Test
  void lateSampleOlderThanAFullHistoryIsNotKept() {
    store = new MemoryTelemetryStore(3);
    await(store.write(List.of(sample(GPU_A, "m", sec(5), 5), sample(GPU_A, "m", sec(6), 6),
        sample(GPU_A, "m", sec(7), 7), sample(GPU_A, "m", sec(1), 1), sample(GPU_A, "m", sec(4), 4))));
    assertEquals(List.of(sec(5), sec(6), sec(7)), all(GPU_A.uuid()).stream().map(Sample::timestampMicros).toList());
    await(store.write(List.of(sample(GPU_A, "m", sec(6) + 1, 6.5))));
    assertEquals(List.of(sec(6), sec(6) + 1, sec(7)), all(GPU_A.uuid()).stream().map(Sample::timestampMicros).toList());
  }

  @Test
  void latestForgetsAMetricWhoseLastSampleWasEvicted() {
    store = new MemoryTelemetryStore(3);
    await(store.write(List.of(sample(GPU_A, "rare", sec(1), 1), sample(GPU_A, "m", sec(2), 2),
        sample(GPU_A, "m", sec(3), 3))));
    assertEquals(List.of("rare", "m"), await(store.latest(GPU_A.uuid())).stream().map(Sample::metric).sorted(
        java.util.Comparator.reverseOrder()).toList());
    await(store.write(List.of(sample(GPU_A, "m", sec(4), 4)))); // evicts the only "rare"
    List<Sample> latest = await(store.latest(GPU_A.uuid()));
    assertEquals(List.of("m"), latest.stream().map(Sample::metric).toList());
    assertEquals(4.0, latest.get(0).value());
    assertEquals(List.of(), await(store.latestOf("rare", null)));
  }
}
