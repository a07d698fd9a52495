package org.gputelemetry.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class GpuTest {

  private static final Gpu SCRAPED = new Gpu("GPU-1", 0, "nvidia0", "NVIDIA A100", "node-1", "00000000:17:00.0",
      "535.154.05", null, null);

  @Test
  void aGpuThatDoesNotKnowAnAttributeKeepsTheKnownOne() {
    Gpu csv = new Gpu("GPU-1", 0, "nvidia0", "NVIDIA A100", "node-1");
    assertSame(SCRAPED, SCRAPED.updatedBy(csv), "nothing changes: the same instance, no allocation");
    Gpu moved = new Gpu("GPU-1", 2, "nvidia2", "NVIDIA A100", "node-2");
    assertEquals(new Gpu("GPU-1", 2, "nvidia2", "NVIDIA A100", "node-2", "00000000:17:00.0", "535.154.05", null, null),
        SCRAPED.updatedBy(moved), "identity fields follow the newer; attributes it lacks stay");
  }

  @Test
  void aNewValueReplacesTheOldAndANewerCompleteGpuIsTakenAsItIs() {
    Gpu upgraded = new Gpu("GPU-1", 0, "nvidia0", "NVIDIA A100", "node-1", null, "550.54.15", null, null);
    assertEquals("550.54.15", SCRAPED.updatedBy(upgraded).driverVersion());
    assertEquals("00000000:17:00.0", SCRAPED.updatedBy(upgraded).pciBusId());
    Gpu mig = new Gpu("GPU-1", 0, "nvidia0", "NVIDIA A100", "node-1", "00000000:17:00.0", "535.154.05", "GPU-0",
        "3g.40gb");
    assertSame(mig, SCRAPED.updatedBy(mig));
    assertSame(SCRAPED, SCRAPED.updatedBy(SCRAPED));
  }
}
