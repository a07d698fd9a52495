package org.gputelemetry.pipeline.store;

import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;

class MemoryFleetBucketsTest extends FleetBucketsContractTest {

  @Override
  protected TelemetryStore createStore() {
    return new MemoryTelemetryStore(10_000);
  }
}
