package org.gputelemetry.pipeline.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import org.gputelemetry.pipeline.model.Sample;

/**
 * Where samples are kept and queried. Every implementation passes the same contract test suite.
 *
 * <p>Guarantees: {@link #write} is idempotent on (gpu uuid, metric, timestamp): writing a sample
 * twice keeps one (the later value wins). A write's future completes only after the samples are
 * committed (visible to queries and durable as far as the implementation is durable); a failed
 * future means none or some of the samples may be stored, and retrying the same list is safe.
 * Implementations are thread-safe: writes and queries may come from any thread concurrently.
 */
public interface TelemetryStore {

  /** Prepares the store (schema, connections). Fails when the store is unusable. */
  Future<Void> start();

  /** Stores {@code samples}; completes once committed. */
  Future<Void> write(List<Sample> samples);

  /** GPUs known to the store, optionally of one host, sorted by hostname, gpu_index, uuid. */
  Future<List<GpuRecord>> gpus(String hostname);

  /** One GPU, or empty when unknown. */
  Future<Optional<GpuRecord>> gpu(String uuid);

  /** Hosts with their GPU counts, sorted by hostname. */
  Future<List<HostRecord>> hosts();

  /** Distinct metric names, sorted. */
  Future<List<String>> metrics();

  /**
   * One GPU's samples in {@code query}'s window, ordered by timestamp then metric name, at most
   * {@code query.limit()} of them, starting after {@code query.cursor()} when given.
   */
  Future<SamplePage> samples(SampleQuery query);

  /** Whether the store can serve right now (readiness). */
  Future<Void> ping();

  Future<Void> close();
}
