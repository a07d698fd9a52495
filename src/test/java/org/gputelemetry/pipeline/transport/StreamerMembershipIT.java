package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.streamer.GpuPartitioner;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dynamic split over a real Hazelcast cluster on 127.0.0.1: streamers take their shares from
 * the live membership (members without the streamer role do not count), and at every step each of
 * the sample's 247 GPUs has exactly one owner.
 */
@ExtendWith(VertxExtension.class)
class StreamerMembershipIT {

  private static final Set<String> GPUS = SampleCsv.byGpu().keySet();

  private final Map<String, Assignment> shares = new ConcurrentHashMap<>();
  private final List<Transport> members = new CopyOnWriteArrayList<>();

  @Test
  void streamersSplitTheGpusByLiveMembershipAndReSplitWhenOneJoinsOrLeaves(Vertx vertx) {
    LoopbackCluster cluster = LoopbackCluster.create();
    try {
      List<Assignment> collectorShares = new CopyOnWriteArrayList<>();
      ((StreamerMembership) join(vertx, cluster, "collector-0", PipelineSettings.COLLECTOR)).watchStreamers(collectorShares::add);
      // joined out of name order: shares follow the instance ids, not the order of joining
      Transport b = streamer(vertx, cluster, "streamer-b");
      streamer(vertx, cluster, "streamer-c");
      Transport a = streamer(vertx, cluster, "streamer-a");

      awaitShares(Map.of("streamer-a", new Assignment(0, 3), "streamer-b", new Assignment(1, 3),
          "streamer-c", new Assignment(2, 3)));
      assertEveryGpuHasExactlyOneOwner();

      await(b.close());
      shares.remove("streamer-b");
      awaitShares(Map.of("streamer-a", new Assignment(0, 2), "streamer-c", new Assignment(1, 2)));
      assertEveryGpuHasExactlyOneOwner();

      streamer(vertx, cluster, "streamer-d");
      awaitShares(Map.of("streamer-a", new Assignment(0, 3), "streamer-c", new Assignment(1, 3),
          "streamer-d", new Assignment(2, 3)));
      assertEveryGpuHasExactlyOneOwner();

      await(a.close());
      shares.remove("streamer-a");
      awaitShares(Map.of("streamer-c", new Assignment(0, 2), "streamer-d", new Assignment(1, 2)));
      assertEveryGpuHasExactlyOneOwner();

      assertTrue(collectorShares.isEmpty(), "a member without the streamer role has no share: " + collectorShares);
    } finally {
      await(Future.join(members.stream().map(Transport::close).toList()));
    }
  }

  private Transport join(Vertx vertx, LoopbackCluster cluster, String id, String role) {
    Transport t = Transports.create(vertx, TransportSettings.fromJson(cluster.transportJson("1s")), id, List.of(role), TestMetrics.create());
    await(t.start());
    members.add(t);
    return t;
  }

  private Transport streamer(Vertx vertx, LoopbackCluster cluster, String id) {
    Transport t = join(vertx, cluster, id, PipelineSettings.STREAMER);
    ((StreamerMembership) t).watchStreamers(share -> shares.put(id, share));
    return t;
  }

  private void awaitShares(Map<String, Assignment> expected) {
    Poll.until("shares " + expected, 15, () -> new TreeMap<>(shares).equals(new TreeMap<>(expected)));
  }

  private void assertEveryGpuHasExactlyOneOwner() {
    assertEquals(247, GPUS.size());
    Map<String, Integer> owned = new TreeMap<>();
    for (String uuid : GPUS) {
      List<String> owners = new ArrayList<>();
      shares.forEach((id, share) -> {
        if (GpuPartitioner.owns(share, uuid)) {
          owners.add(id);
        }
      });
      assertEquals(1, owners.size(), uuid + " owned by " + owners + " with shares " + shares);
      owned.merge(owners.get(0), 1, Integer::sum);
    }
    assertEquals(shares.keySet(), owned.keySet(), "every streamer owns some GPUs: " + owned);
  }
}
