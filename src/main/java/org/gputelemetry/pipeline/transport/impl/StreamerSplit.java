package org.gputelemetry.pipeline.transport.impl;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.model.Assignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's share of the input among the streamers of the live Hazelcast membership: the
 * members advertising the streamer role, sorted by instance id then member UUID (the same order on
 * every member), and this member's position among them. Recomputed from the cluster's current
 * member list on every join or leave, under a lock, so listeners see the latest share last. Each
 * join and leave is logged once (the member's instance id, address and roles). Thread-safe.
 */
final class StreamerSplit implements MembershipListener {

  private static final Logger LOG = LoggerFactory.getLogger(StreamerSplit.class);
  private static final Comparator<Member> ORDER = Comparator.comparing(HazelcastMemberConfig::instanceId)
      .thenComparing(m -> m.getUuid().toString());

  private final Cluster cluster;
  private final List<Consumer<Assignment>> listeners = new CopyOnWriteArrayList<>();
  private Assignment current;

  StreamerSplit(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Adds a listener and calls it with the current share, if this member is a streamer. */
  synchronized void watch(Consumer<Assignment> listener) {
    listeners.add(listener);
    if (current == null) {
      current = compute();
    }
    if (current != null) {
      listener.accept(current);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    changed("joined", event.getMember());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    changed("left", event.getMember());
  }

  private void changed(String how, Member member) {
    LOG.info("Cluster member {} {} ({} {}); {} members now", HazelcastMemberConfig.instanceId(member), how,
        member.getAddress(), HazelcastMemberConfig.roles(member), cluster.getMembers().size());
    recompute();
  }

  /** Recomputes the share from the current members and tells the listeners when it changed. */
  synchronized void recompute() {
    Assignment next = compute();
    if (next != null && !next.equals(current)) {
      current = next;
      listeners.forEach(l -> l.accept(next));
    }
  }

  private Assignment compute() {
    Member self = cluster.getLocalMember();
    List<Member> streamers = cluster.getMembers().stream()
        .filter(m -> HazelcastMemberConfig.roles(m).contains(PipelineSettings.STREAMER))
        .sorted(ORDER)
        .toList();
    for (int i = 0; i < streamers.size(); i++) {
      if (Objects.equals(streamers.get(i).getUuid(), self.getUuid())) {
        return new Assignment(i, streamers.size());
      }
    }
    return null;
  }
}
