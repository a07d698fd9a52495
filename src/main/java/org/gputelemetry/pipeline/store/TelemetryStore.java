package org.gputelemetry.pipeline.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import org.gputelemetry.pipeline.model.Sample;

/**
 * Where samples are kept and queried. Every implementation passes the same contract test suite.
 *
 * <p>Guarantees: {@link #write} is idempotent on (gpu uuid, metric, labels, timestamp): writing a sample
 * twice keeps one (the later value wins). A write's future completes only after the samples are
 * committed (visible to queries and durable as far as the implementation is durable); a failed
 * future means none or some of the samples may be stored, and retrying the same list is safe.
 * Implementations are thread-safe: writes and queries may come from any thread concurrently.
 *
 * <p>A write the store refuses for its content (not for an outage) fails with
 * {@link RejectedContentException}; anything else it fails with is waited out and retried (see
 * {@link StoreFailure}). Samples refused for their content go to {@link #deadLetter}.
 */
public interface TelemetryStore {

  /** Prepares the store (schema, connections). Fails when the store is unusable. */
  Future<Void> start();

  /** Stores {@code samples}; completes once committed. */
  Future<Void> write(List<Sample> samples);

  /**
   * GPUs known to the store, optionally of one host, sorted by hostname, gpu_index, uuid. A GPU's
   * PCI bus, driver, parent and MIG profile are the newest non-null ones its samples carried.
   */
  Future<List<GpuRecord>> gpus(String hostname);

  /** One GPU, or empty when unknown. */
  Future<Optional<GpuRecord>> gpu(String uuid);

  /** Hosts with their GPU counts, sorted by hostname. */
  Future<List<HostRecord>> hosts();

  /** Distinct metric names, sorted. */
  Future<List<String>> metrics();

  /**
   * One GPU's samples in {@code query}'s window, ordered by timestamp, metric name, then label set
   * (its canonical text, the empty set first), each with its labels, at most
   * {@code query.limit()} of them, starting after {@code query.cursor()} when given.
   */
  Future<SamplePage> samples(SampleQuery query);

  /**
   * One GPU's samples in {@code query}'s window, one {@link Bucket} per metric and step-aligned
   * bucket that holds a sample, ordered by bucket start then metric name; empty for an unknown GPU.
   * The caller bounds the window ({@link BucketQuery#MAX_BUCKETS}).
   */
  Future<List<Bucket>> buckets(BucketQuery query);

  /**
   * One metric's buckets over many GPUs ({@code query.hostname()}'s, or all), one series per GPU,
   * per host or for the fleet, each ordered by bucket start; a series per GPU or host that holds a
   * sample in the window, and for the fleet always exactly one (empty when nothing matches).
   * Groups combine their members' buckets: avg = sum / count over all members' samples; min, max,
   * sum, count over the members; last = the value of the member whose newest sample in the bucket
   * is newest. A GPU's bucket aggregates across the label sets of its samples. The caller bounds
   * the answer ({@link FleetQuery#MAX_POINTS}). The default composes {@link #gpus} and
   * {@link #buckets}, GPU by GPU; a store may answer in one query instead.
   */
  default Future<List<FleetSeries>> fleetBuckets(FleetQuery query) {
    return FleetBuckets.compose(this, query);
  }

  /**
   * The newest sample of each series (metric and label set) of one GPU, sorted by metric name then
   * label set; empty for an unknown GPU.
   */
  Future<List<Sample>> latest(String uuid);

  /**
   * The newest sample of {@code metric} of every series (GPU and label set) that has one (only
   * {@code hostname}'s GPUs when not null), in catalogue order (hostname, gpu_index, uuid) then
   * label set; empty for an unknown metric.
   */
  Future<List<Sample>> latestOf(String metric, String hostname);

  /**
   * Keeps samples this store refused for their content where operators can read them back
   * ({@link #deadLetters}), bounded to the newest few thousand. Completes once they are kept; fails
   * while the store is unreachable (retry) or when it keeps none. The default keeps none: a store
   * that refuses no content (the memory store) has nothing to keep.
   */
  default Future<Void> deadLetter(List<DeadLetter> letters) {
    return Future.failedFuture(new DeadLettersNotKeptException(getClass().getSimpleName()));
  }

  /** The newest {@code limit} dead letters, newest first; empty for a store that keeps none. */
  default Future<List<DeadLetter>> deadLetters(int limit) {
    return Future.succeededFuture(List.of());
  }

  /** Whether the store can serve right now (readiness). */
  Future<Void> ping();

  Future<Void> close();
}
