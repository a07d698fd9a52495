package org.gputelemetry.pipeline.transport;

import java.util.function.Consumer;
import org.gputelemetry.pipeline.model.Assignment;

/**
 * A transport that sees which streamers are alive (the clustered event bus, through its Hazelcast
 * membership), so that streamers can split the input among themselves without a static
 * {@code instanceIndex}/{@code instanceCount}.
 *
 * <p>Every member computes the split from the same list: the live members that run the streamer
 * role, in a stable order, so member {@code i} of {@code n} gets {@code Assignment(i, n)} and each
 * GPU has exactly one owner once every member has seen the same membership. While a change is
 * still reaching the members, a GPU may briefly be replayed by its old and its new owner (the store
 * de-duplicates); a GPU is never left without one once the change has been seen everywhere.
 */
public interface StreamerMembership {

  /**
   * Calls {@code listener} with this member's share before returning (on the caller's thread), and
   * again, from a cluster thread, each time a streamer joins or leaves and the share changes. Calls
   * never overlap, and the latest share comes last. Nothing is called when this member does not
   * run the streamer role.
   */
  void watchStreamers(Consumer<Assignment> listener);
}
