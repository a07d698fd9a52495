package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.gputelemetry.pipeline.testutil.ClusterMemberProcess;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.junit.jupiter.api.Test;

/**
 * The transport contract over a real Hazelcast cluster on 127.0.0.1 (two Vert.x instances, so
 * every batch goes through the binary codec and TCP), and what only a cluster has: competing
 * collectors, and collectors that leave, hang or die.
 */
class ClusteredTransportIT extends EventBusTransportContractTest {

  private static final String STREAMER = PipelineSettings.STREAMER;
  private static final String COLLECTOR = PipelineSettings.COLLECTOR;
  /** Long enough that no batch times out: the routing tests count deliveries, and a resent batch would count twice. */
  private static final String ROUTING_SEND_TIMEOUT = "10s";

  @Override
  Ends open(Vertx vertx, BatchConsumer consumer) {
    LoopbackCluster cluster = LoopbackCluster.create();
    Transport collector = member(vertx, cluster.transportJson(SEND_TIMEOUT), "collector-0", COLLECTOR);
    await(collector.consume(consumer));
    Transport sender = member(vertx, cluster.transportJson(SEND_TIMEOUT), "streamer-0", STREAMER);
    return new Ends(sender, collector);
  }

  @Override
  boolean crossesTheWire() {
    return true;
  }

  @Test
  void connectedWhileAMemberAndNotAfterLeaving(Vertx vertx) {
    Transport t = member(vertx, LoopbackCluster.create().transportJson(SEND_TIMEOUT), "alone", STREAMER);
    assertEquals("clustered", t.type());
    assertTrue(t.connected());
    await(t.close());
    assertFalse(t.connected());
  }

  @Test
  void eachBatchIsConsumedByExactlyOneOfTwoCollectors(Vertx vertx) {
    LoopbackCluster cluster = LoopbackCluster.create();
    Map<Long, List<String>> consumers = new ConcurrentHashMap<>();
    List<Transport> members = new ArrayList<>();
    try {
      for (String id : List.of("collector-1", "collector-2")) {
        Transport c = member(vertx, cluster.transportJson(ROUTING_SEND_TIMEOUT), id, COLLECTOR);
        members.add(c);
        await(c.consume(recordingAs(id, consumers)));
      }
      Transport streamer = member(vertx, cluster.transportJson(ROUTING_SEND_TIMEOUT), "streamer-1", STREAMER);
      members.add(streamer);
      int n = 100;
      for (int i = 1; i <= n; i++) {
        await(streamer.send(batch(i)));
      }
      assertEquals(n, consumers.size(), "every batch consumed");
      consumers.forEach((seq, by) -> assertEquals(1, by.size(), "batch " + seq + " consumed by " + by));
      Map<String, Long> perCollector = countBy(consumers);
      assertTrue(perCollector.getOrDefault("collector-1", 0L) > 0 && perCollector.getOrDefault("collector-2", 0L) > 0,
          "both collectors got batches: " + perCollector);
    } finally {
      closeAll(members);
    }
  }

  @Test
  void collectorThatLeavesStopsReceivingAndTheRemainingOneTakesOver(Vertx vertx) {
    LoopbackCluster cluster = LoopbackCluster.create();
    Map<Long, List<String>> consumers = new ConcurrentHashMap<>();
    List<Transport> members = new ArrayList<>();
    try {
      Transport staying = member(vertx, cluster.transportJson(ROUTING_SEND_TIMEOUT), "collector-staying", COLLECTOR);
      members.add(staying);
      await(staying.consume(recordingAs("collector-staying", consumers)));
      Transport leaving = member(vertx, cluster.transportJson(ROUTING_SEND_TIMEOUT), "collector-leaving", COLLECTOR);
      await(leaving.consume(recordingAs("collector-leaving", consumers)));
      Transport streamer = member(vertx, cluster.transportJson(ROUTING_SEND_TIMEOUT), "streamer-1", STREAMER);
      members.add(streamer);
      for (int i = 1; i <= 20; i++) {
        await(streamer.send(batch(i)));
      }
      long beforeLeave = countBy(consumers).getOrDefault("collector-leaving", 0L);
      assertTrue(beforeLeave > 0, "the leaving collector took part before it left");

      await(leaving.close());
      for (int i = 21; i <= 70; i++) {
        sendUntilAcknowledged(streamer, batch(i));
      }
      assertEquals(beforeLeave, countBy(consumers).getOrDefault("collector-leaving", 0L), "nothing reached it after it left");
      for (long seq = 21; seq <= 70; seq++) {
        assertEquals(List.of("collector-staying"), consumers.get(seq), "batch " + seq);
      }
    } finally {
      closeAll(members);
    }
  }

  /**
   * A collector whose JVM hangs (SIGSTOP: its sockets stay open, it answers nothing) loses the
   * batches sent to it by timeout, they are sent again to the other collector, and the cluster
   * drops it once it has missed heartbeats for {@code memberTimeout}.
   */
  @Test
  void frozenCollectorIsDroppedAfterTheMemberTimeoutAndItsBatchesGoToTheOther(Vertx vertx) throws Exception {
    LoopbackCluster cluster = LoopbackCluster.create();
    int memberTimeoutSeconds = 3;
    String memberTimeout = memberTimeoutSeconds + "s";
    Map<Long, List<String>> consumers = new ConcurrentHashMap<>();
    List<Transport> members = new ArrayList<>();
    try (ClusterMemberProcess child = ClusterMemberProcess.startCollector(cluster.transportJson(SEND_TIMEOUT, memberTimeout),
        "child", List.of(COLLECTOR, STREAMER))) {
      Transport local = member(vertx, cluster.transportJson(SEND_TIMEOUT, memberTimeout), "collector-local", COLLECTOR);
      members.add(local);
      await(local.consume(recordingAs("collector-local", consumers)));
      Transport streamer = member(vertx, cluster.transportJson(SEND_TIMEOUT, memberTimeout), "streamer-local", STREAMER);
      members.add(streamer);
      List<Assignment> shares = new CopyOnWriteArrayList<>();
      AtomicLong aloneSince = new AtomicLong();
      ((StreamerMembership) streamer).watchStreamers(share -> {
        shares.add(share);
        if (share.count() == 1) {
          aloneSince.set(System.nanoTime());
        }
      });
      assertEquals(new Assignment(1, 2), shares.get(shares.size() - 1), "the child counts as a streamer");
      for (int i = 1; i <= 10; i++) {
        sendUntilAcknowledged(streamer, batch(i));
      }
      assertTrue(consumers.size() < 10, "the child collector took some batches: " + consumers.size() + " reached the local one");

      child.signal("STOP");
      long frozenAt = System.nanoTime();
      int seq = 10;
      while (!shares.get(shares.size() - 1).equals(new Assignment(0, 1))) {
        sendUntilAcknowledged(streamer, batch(++seq));
        assertTrue(System.nanoTime() - frozenAt < (memberTimeoutSeconds + 10) * 1_000_000_000L, "frozen member never dropped");
      }
      long droppedAfterMs = (aloneSince.get() - frozenAt) / 1_000_000;
      System.out.printf("frozen member dropped after %d ms (memberTimeout %s)%n", droppedAfterMs, memberTimeout);
      assertTrue(droppedAfterMs < (memberTimeoutSeconds + 3) * 1000L, "dropped after " + droppedAfterMs + " ms");

      int afterDrop = seq;
      for (int i = afterDrop + 1; i <= afterDrop + 20; i++) {
        sendUntilAcknowledged(streamer, batch(i));
      }
      // the frozen child acknowledges nothing: every batch since the freeze was taken by the local collector
      for (long s = 11; s <= afterDrop + 20; s++) {
        assertTrue(consumers.containsKey(s), "batch " + s + " never reached the local collector");
      }
    } finally {
      closeAll(members);
    }
  }

  /** A started member of the cluster {@code transport} describes, running {@code roles}. */
  private static Transport member(Vertx vertx, JsonObject transport, String id, String... roles) {
    Transport t = Transports.create(vertx, TransportSettings.fromJson(transport), id, List.of(roles), TestMetrics.create());
    await(t.start());
    return t;
  }

  /** Leaves with all members at once (each graceful leave takes most of a second). */
  private static void closeAll(List<Transport> members) {
    await(Future.join(members.stream().map(Transport::close).toList()));
  }

  /** Acknowledges every batch, noting which collector consumed each sequence number. */
  private static BatchConsumer recordingAs(String id, Map<Long, List<String>> consumers) {
    return b -> {
      consumers.computeIfAbsent(b.sequence(), k -> new CopyOnWriteArrayList<>()).add(id);
      return Future.succeededFuture();
    };
  }

  /** What the streamer's sender does: a batch that was not acknowledged is sent again. */
  private static void sendUntilAcknowledged(Transport t, SampleBatch b) {
    for (int attempt = 1; ; attempt++) {
      Boolean ok = await(t.send(b).map(true).otherwise(false));
      if (ok) {
        return;
      }
      if (attempt == 10) {
        throw new AssertionError("batch " + b.sequence() + " not acknowledged after " + attempt + " attempts");
      }
    }
  }

  private SampleBatch batch(long seq) {
    return new SampleBatch("streamer-1", seq, 1_752_871_354_000_000L, SAMPLE.subList(0, 500));
  }

  private static Map<String, Long> countBy(Map<Long, List<String>> consumers) {
    Map<String, Long> out = new ConcurrentHashMap<>();
    consumers.values().forEach(by -> by.forEach(id -> out.merge(id, 1L, Long::sum)));
    return out;
  }
}
