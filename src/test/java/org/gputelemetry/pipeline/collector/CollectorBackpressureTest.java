package org.gputelemetry.pipeline.collector;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.CollectorSettings;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.testutil.SwitchableStore;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.Transport;
import org.gputelemetry.pipeline.transport.Transports;
import org.gputelemetry.pipeline.transport.impl.LocalTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The collector's promises: acknowledge only after commit, refuse as busy when its buffer is
 * full, hold and retry samples while the store fails, and lose none of them.
 */
class CollectorBackpressureTest {

  private final Vertx vertx = Vertx.vertx();
  private static final Gpu GPU = new Gpu("GPU-1", 0, "nvidia0", "H100", "host");

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private static SampleBatch batch(int seq, int n) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(new Sample(GPU, "m", seq * 1_000_000L + i, i, null, null, null));
    }
    return new SampleBatch("test", seq, 0, samples);
  }

  private CollectorVerticle deploy(TelemetryStore store, Transport transport, int bufferSize) {
    CollectorVerticle collector = new CollectorVerticle(new CollectorSettings(2, 1000, Duration.ofMillis(20), bufferSize),
        store, transport, new PipelineMetrics(new SimpleMeterRegistry()), Future.succeededFuture());
    await(vertx.deployVerticle(collector));
    return collector;
  }

  @Test
  void refusesBatchesAsBusyWhenTheBufferIsFullAndLosesNothingWhenTheStoreReturns() throws Exception {
    Transports.registerCodec(vertx);
    SwitchableStore store = new SwitchableStore();
    store.down.set(true);
    LocalTransport transport = new LocalTransport(vertx, Duration.ofSeconds(30));
    deploy(store, transport, 250);
    List<Future<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(transport.send(batch(i, 100)));
    }
    Thread.sleep(300);
    List<Integer> refused = new ArrayList<>();
    for (int i = 0; i < sends.size(); i++) {
      if (sends.get(i).failed()) {
        assertTrue(BusyException.isBusy(sends.get(i).cause()), String.valueOf(sends.get(i).cause()));
        refused.add(i);
      }
    }
    assertTrue(refused.size() >= 7, "refused " + refused);
    assertTrue(store.failedWrites.get() > 0);
    assertTrue(sends.stream().noneMatch(Future::succeeded), "acknowledged before commit");
    store.down.set(false);
    for (int i = 0; i < sends.size(); i++) {
      if (refused.contains(i)) {
        await(retryUntilTaken(transport, batch(i, 100)));
      } else {
        await(sends.get(i));
      }
    }
    List<Sample> stored = await(store.samples(new SampleQuery("GPU-1", Long.MIN_VALUE, Long.MAX_VALUE, null, 10_000, null))).samples();
    assertEquals(1000, stored.size());
  }

  private Future<Void> retryUntilTaken(Transport transport, SampleBatch b) {
    return transport.send(b).recover(e -> {
      assertInstanceOf(io.vertx.core.eventbus.ReplyException.class, e);
      return vertx.timer(20).compose(t -> retryUntilTaken(transport, b));
    });
  }

  @Test
  void acknowledgesOnlyAfterTheStoreCommitted() {
    Transports.registerCodec(vertx);
    List<Integer> seenAtAck = new ArrayList<>();
    MemoryTelemetryStore store = new MemoryTelemetryStore(1000);
    Transport transport = new LocalTransport(vertx, Duration.ofSeconds(30));
    deploy(store, transport, 10_000);
    for (int i = 0; i < 5; i++) {
      SampleBatch b = batch(i, 10);
      await(transport.send(b).compose(v -> store.samples(new SampleQuery("GPU-1", Long.MIN_VALUE, Long.MAX_VALUE, null, 1000, null)))
          .map(p -> seenAtAck.add(p.samples().size())));
    }
    assertEquals(List.of(10, 20, 30, 40, 50), seenAtAck);
  }

}
