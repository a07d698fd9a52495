package org.gputelemetry.pipeline.transport;

import io.vertx.core.Future;
import org.gputelemetry.pipeline.model.SampleBatch;

/**
 * Moves batches from streamers to collectors. Implementations: {@code local} (event bus inside
 * one JVM), {@code clustered} (Hazelcast-clustered event bus), {@code redis} (Redis Streams bridge).
 *
 * <p>Delivery is at-least-once: a batch is handed to a collector until one acknowledges it, and a
 * collector acknowledges only after its store committed the batch. Duplicates are possible after
 * a failure; the store de-duplicates. Batches of one producer may arrive out of order.
 * Thread-safe: {@link #send} may be called from any thread.
 */
public interface Transport {

  /** Connects (or starts connecting) to whatever carries the batches. */
  Future<Void> start();

  /**
   * Hands a batch over. Completes when the batch is safe: committed by a collector (event bus
   * transports) or durably queued (Redis, or the edge spool while Redis is away). A failed future
   * means the batch was not taken; the caller keeps it and sends it again later: soon when
   * {@link BusyException#isBusy} says it was refused as busy (a collector's buffer or the edge
   * spool is full), with backoff otherwise.
   */
  Future<Void> send(SampleBatch batch);

  /**
   * Makes this process a collector: batches are passed to {@code consumer}, and acknowledged
   * when its future succeeds. A failed future (store down, or a {@link BusyException} when the
   * buffer is full) leaves the batch to be delivered again, to this or another collector.
   */
  Future<Void> consume(BatchConsumer consumer);

  /**
   * Shares a batch this process's store just committed with the live feeds of other processes
   * (gateways that run no collector). Best effort and never blocking: a live feed may miss batches
   * while the transport is down, the store never does. The default shares nothing (one JVM: the
   * local feed has every batch). Any thread.
   */
  default void shareCommitted(SampleBatch batch, long committedMicros) {
  }

  /**
   * Hands {@code listener} the batches other processes shared with {@link #shareCommitted}; what
   * this process shared itself is not handed back. The default receives nothing.
   */
  default Future<Void> receiveCommitted(CommittedListener listener) {
    return Future.succeededFuture();
  }

  /**
   * Shares a streamer's scrape-target report ({@link Addresses#SCRAPE_TARGETS}) with the gateways
   * of other processes. The default shares nothing (one JVM, or a transport without a bus).
   */
  default void shareTargets(io.vertx.core.json.JsonObject report) {
  }

  /** Hands {@code listener} the target reports other processes shared; the default receives nothing. */
  default Future<Void> receiveTargets(java.util.function.Consumer<io.vertx.core.json.JsonObject> listener) {
    return Future.succeededFuture();
  }

  /** Whether the transport currently reaches its peers or broker (readiness, metrics). */
  boolean connected();

  /** {@code local}, {@code clustered} or {@code redis}. */
  String type();

  /** Stops consuming and releases connections; pending sends fail. */
  Future<Void> close();
}
