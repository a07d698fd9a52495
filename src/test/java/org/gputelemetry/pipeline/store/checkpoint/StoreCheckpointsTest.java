package org.gputelemetry.pipeline.store.checkpoint;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.config.CheckpointSettings;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ops.MetricNames;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.TestMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The schedule on a real Vert.x: restores at start, writes on its interval and at stop, never fails the process. */
@ExtendWith(VertxExtension.class)
class StoreCheckpointsTest {

  private static final Gpu GPU = new Gpu("GPU-0000", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");

  @TempDir
  Path dir;

  private static List<Sample> samples(int from, int n) {
    return IntStream.range(from, from + n)
        .mapToObj(i -> new Sample(GPU, "DCGM_FI_DEV_GPU_UTIL", 1_752_871_354_000_000L + i * 1_000_000L, i, null, null, null))
        .toList();
  }

  private static double value(MeterRegistry r, String name, String operation) {
    return operation == null ? r.get(name).gauge().value() : r.get(name).tag("operation", operation).counter().count();
  }

  @Test
  void aCorruptCheckpointIsSetAsideCountedAndTheStoreStartsEmpty(Vertx vertx) throws Exception {
    Path file = dir.resolve("checkpoint");
    Files.write(file, new byte[] {'G', 'P', 'U', 'T', 'C', 'K', 'P', 'T', 0, 1, 0, 0, 1, 2, 3});
    PipelineMetrics metrics = TestMetrics.create();
    MemoryTelemetryStore store = new MemoryTelemetryStore(1_000);
    StoreCheckpoints checkpoints = new StoreCheckpoints(vertx, new CheckpointSettings(true, file.toString(), Duration.ofMinutes(1)),
        store, metrics);
    await(checkpoints.restore());
    assertFalse(Files.exists(file));
    assertTrue(Files.exists(CheckpointFile.corrupt(file)), "set aside for a post-mortem");
    assertEquals(1.0, value(metrics.registry(), MetricNames.CHECKPOINT_FAILURES, "restore"));
    assertEquals(List.of(), await(store.gpus(null)));
    // and the next checkpoint is a good one again
    await(store.write(samples(0, 10)));
    await(checkpoints.checkpoint());
    assertEquals(10, CheckpointFile.verify(file).samples());
    assertEquals(0.0, value(metrics.registry(), MetricNames.CHECKPOINT_FAILURES, "write"));
  }

  @Test
  void writesOnItsIntervalAndOnceMoreAtStopThenRestoresIntoANewStore(Vertx vertx) throws Exception {
    Path file = dir.resolve("sub/dir/checkpoint");
    PipelineMetrics metrics = TestMetrics.create();
    MemoryTelemetryStore store = new MemoryTelemetryStore(1_000);
    CheckpointSettings settings = new CheckpointSettings(true, file.toString(), Duration.ofSeconds(1));
    StoreCheckpoints checkpoints = new StoreCheckpoints(vertx, settings, store, metrics);
    await(checkpoints.restore()); // none yet: starts empty, nothing counted
    assertEquals(0.0, value(metrics.registry(), MetricNames.CHECKPOINT_FAILURES, "restore"));
    await(store.write(samples(0, 100)));
    vertx.runOnContext(v -> checkpoints.start());
    // the file is renamed into place before the meters are set (the time last): wait for the time
    Poll.until("a periodic checkpoint", 10, () -> Files.exists(file)
        && value(metrics.registry(), MetricNames.CHECKPOINT_LAST_SUCCESS, null) > 0);
    assertTrue(value(metrics.registry(), MetricNames.CHECKPOINT_LAST_SUCCESS, null) > 1.7e9, "epoch seconds of the last write");
    assertEquals(100.0, value(metrics.registry(), MetricNames.CHECKPOINT_SAMPLES, null));
    await(store.write(samples(100, 50)));
    Promise<Void> stopped = Promise.promise();
    vertx.runOnContext(x -> checkpoints.stop().onComplete(stopped));
    await(stopped.future());
    assertEquals(150, CheckpointFile.verify(file).samples(), "the final checkpoint holds the samples written after the last tick");
    assertEquals((double) Files.size(file), value(metrics.registry(), MetricNames.CHECKPOINT_BYTES, null));

    MemoryTelemetryStore next = new MemoryTelemetryStore(1_000);
    await(new StoreCheckpoints(vertx, settings, next, TestMetrics.create()).restore());
    assertEquals(150, await(next.samples(new SampleQuery(GPU.uuid(), Long.MIN_VALUE,
        Long.MAX_VALUE, null, 1000, null))).samples().size());
  }

  @Test
  void onPostgresTheKeysAreIgnoredWithOneWarning(Vertx vertx) throws Exception {
    Path file = dir.resolve("checkpoint");
    Logger logger = (Logger) LoggerFactory
        .getLogger(PipelineVerticle.class);
    ListAppender<ILoggingEvent> logs =
        new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      // a collector whose descriptor says postgres, on a real (memory) store handed in: nothing to reach
      PipelineVerticle pipeline = Pipelines.deploy(vertx,
          new JsonObject().put("roles", List.of("collector")).put("ops", new JsonObject()
              .put("enabled", false)).put("store", new JsonObject().put("type", "postgres")
              .put("checkpoint", new JsonObject().put("enabled", true).put("path", file.toString())
                  .put("interval", "1s"))), new MemoryTelemetryStore(1_000));
      await(pipeline.store().write(samples(0, 10)));
      Thread.sleep(1_500); // past one interval
      assertTrue(pipeline.metrics().registry().find(MetricNames.CHECKPOINT_FAILURES).counters().isEmpty(), "no checkpoint meters");
      await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
    } finally {
      logger.detachAppender(logs);
    }
    assertFalse(Files.exists(file), "no periodic checkpoint, and none at stop");
    List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("store.checkpoint")).toList();
    assertEquals(List.of("store.checkpoint is ignored with store.type postgres: the samples are durable there"), warnings);
  }
}
