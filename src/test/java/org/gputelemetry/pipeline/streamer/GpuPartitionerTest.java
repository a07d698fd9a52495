package org.gputelemetry.pipeline.streamer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.Test;

class GpuPartitionerTest {

  private final Set<String> gpus = SampleCsv.byGpu().keySet();

  @Test
  void everyGpuHasExactlyOneOwnerForEveryInstanceCount() {
    for (int count = 1; count <= 10; count++) {
      for (String uuid : gpus) {
        int owners = 0;
        for (int i = 0; i < count; i++) {
          owners += GpuPartitioner.owns(new Assignment(i, count), uuid) ? 1 : 0;
        }
        assertEquals(1, owners, uuid + " with " + count + " streamers");
      }
    }
  }

  @Test
  void instancesGetAFairShareOfTheSample() {
    for (int count = 2; count <= 10; count++) {
      int[] shares = new int[count];
      gpus.forEach(u -> shares[GpuPartitioner.owner(u, shares.length)]++);
      int expected = gpus.size() / count;
      for (int s : shares) {
        assertTrue(s > expected / 2 && s < expected * 2, "unbalanced split " + java.util.Arrays.toString(shares) + " for " + count);
      }
    }
  }

  @Test
  void workersOfOneInstanceAllGetGpus() {
    for (int count = 1; count <= 4; count++) {
      for (int index = 0; index < count; index++) {
        Set<Integer> workersUsed = new HashSet<>();
        for (String u : gpus) {
          if (GpuPartitioner.owns(new Assignment(index, count), u)) {
            workersUsed.add(GpuPartitioner.worker(u, 2));
          }
        }
        assertEquals(Set.of(0, 1), workersUsed, "instance " + index + "/" + count + " leaves a worker idle");
      }
    }
  }
}
