package org.gputelemetry.pipeline.testutil;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.store.GpuRecord;
import org.gputelemetry.pipeline.store.HostRecord;
import org.gputelemetry.pipeline.store.SamplePage;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;

/**
 * The memory store behind a switch: while {@link #down} is set, writes, queries and pings fail as
 * they would with the database unreachable. Thread-safe.
 */
public final class SwitchableStore implements TelemetryStore {

  public final AtomicBoolean down = new AtomicBoolean();
  public final AtomicInteger failedWrites = new AtomicInteger();
  private final MemoryTelemetryStore delegate;

  public SwitchableStore() {
    this(1_000_000);
  }

  public SwitchableStore(int maxEntriesPerGpu) {
    this.delegate = new MemoryTelemetryStore(maxEntriesPerGpu);
  }

  private <T> Future<T> unlessDown(java.util.function.Supplier<Future<T>> call) {
    return down.get() ? Future.failedFuture("store unreachable") : call.get();
  }

  @Override
  public Future<Void> write(List<Sample> samples) {
    if (down.get()) {
      failedWrites.incrementAndGet();
      return Future.failedFuture("store unreachable");
    }
    return delegate.write(samples);
  }

  @Override
  public Future<Void> start() {
    return delegate.start();
  }

  @Override
  public Future<List<GpuRecord>> gpus(String hostname) {
    return unlessDown(() -> delegate.gpus(hostname));
  }

  @Override
  public Future<Optional<GpuRecord>> gpu(String uuid) {
    return unlessDown(() -> delegate.gpu(uuid));
  }

  @Override
  public Future<List<HostRecord>> hosts() {
    return unlessDown(delegate::hosts);
  }

  @Override
  public Future<List<String>> metrics() {
    return unlessDown(delegate::metrics);
  }

  @Override
  public Future<SamplePage> samples(SampleQuery query) {
    return unlessDown(() -> delegate.samples(query));
  }

  @Override
  public Future<List<org.gputelemetry.pipeline.store.Bucket>> buckets(org.gputelemetry.pipeline.store.BucketQuery query) {
    return unlessDown(() -> delegate.buckets(query));
  }
  @Override
  public Future<List<Sample>> latest(String uuid) {
    return unlessDown(() -> delegate.latest(uuid));
  }

  @Override
  public Future<List<Sample>> latestOf(String metric, String hostname) {
    return unlessDown(() -> delegate.latestOf(metric, hostname));
  }

  @Override
  public Future<Void> ping() {
    return unlessDown(delegate::ping);
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}
