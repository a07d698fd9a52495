package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.store.checkpoint.CheckpointFile;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's checkpoint across process restarts: a pipeline process with the memory
 * store replays the bundled sample once and is stopped with SIGTERM (its final checkpoint); a new
 * process without a streamer answers the same history over REST from the checkpoint alone. A
 * checkpoint damaged on disk is set aside and the process starts empty instead of crashing.
 */
class CheckpointRestartIT {

  private final List<PipelineProcess> processes = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void tearDown() {
    processes.forEach(PipelineProcess::kill);
  }

  private PipelineProcess start(String name, boolean streamer, Path checkpoint, String interval) {
    int port = Ports.free();
    JsonObject descriptor = Pipelines.merge(Pipelines.onePassAllInOne(null), new JsonObject()
        .put("roles", streamer ? new JsonArray().add("streamer").add("collector").add("gateway")
            : new JsonArray().add("collector").add("gateway"))
        .put("collector", new JsonObject().put("store", new JsonObject().put("type", "memory")
            .put("checkpoint", new JsonObject().put("enabled", true).put("path", checkpoint.toString()).put("interval", interval))))
        .put("gateway", new JsonObject().put("port", port).put("host", "127.0.0.1")));
    PipelineProcess p = PipelineProcess.start(name, descriptor, port, Map.of(), dir.resolve("logs"));
    processes.add(p);
    return p.ready(60);
  }

  /** What a client sees of the history: the GPU list, and every sample of a few GPUs. */
  private static List<String> history(PipelineProcess p) {
    List<String> out = new ArrayList<>();
    String gpus = p.get("/api/v1/gpus");
    out.add(gpus);
    JsonArray list = new JsonObject(gpus).getJsonArray("gpus", new JsonArray());
    for (int i = 0; i < list.size(); i += 40) {
      String uuid = list.getJsonObject(i).getString("uuid");
      out.add(p.get("/api/v1/gpus/" + java.net.URLEncoder.encode(uuid, java.nio.charset.StandardCharsets.UTF_8) + "/telemetry?limit=10000"));
    }
    out.add(p.get("/api/v1/latest?metric=DCGM_FI_DEV_GPU_UTIL"));
    return out;
  }

  @Test
  void aRestartedProcessAnswersItsHistoryFromTheCheckpoint() {
    Path checkpoint = dir.resolve("data/checkpoint");
    PipelineProcess first = start("pipeline-1", true, checkpoint, "1h"); // only the final checkpoint at stop
    Poll.until("all rows stored\n" + first.tail(), 60,
        () -> PrometheusText.sum(first.get("/metrics"), "telemetry_samples_persisted_total") >= DcgmSampleFile.ROWS);
    List<String> before = history(first);
    assertEquals(DcgmSampleFile.GPUS, new JsonObject(before.get(0)).getJsonArray("gpus").size(), before.get(0));
    assertFalse(Files.exists(checkpoint), "no periodic checkpoint yet with a 1h interval");
    first.stop();
    assertTrue(Files.exists(checkpoint), "SIGTERM writes a final checkpoint\n" + first.tail());
    assertFalse(Files.exists(CheckpointFile.temporary(checkpoint)));

    // no streamer: whatever it answers comes from the checkpoint
    PipelineProcess second = start("pipeline-2", false, checkpoint, "1s");
    assertEquals(before, history(second));
    String metrics = second.get("/metrics");
    assertEquals(DcgmSampleFile.ROWS, PrometheusText.sum(metrics, "telemetry_checkpoint_samples"), 0.0);
    assertEquals(0, PrometheusText.sum(metrics, "telemetry_checkpoint_failures_total"), 0.0);
    assertEquals(1, PrometheusText.sum(metrics, "telemetry_checkpoint_duration_seconds_count", "operation=\"restore\""), 0.0);
    // the periodic checkpoint runs too: a SIGKILL now loses nothing either
    Poll.until("a periodic checkpoint\n" + second.tail(), 20, () -> PrometheusText.sum(second.get("/metrics"),
        "telemetry_checkpoint_last_success_timestamp_seconds") > 0);
    second.kill();
    PipelineProcess third = start("pipeline-3", false, checkpoint, "1h");
    assertEquals(before, history(third));
  }

  @Test
  void aDamagedCheckpointIsSetAsideAndTheProcessStartsEmpty() throws Exception {
    Path checkpoint = dir.resolve("checkpoint");
    PipelineProcess first = start("pipeline-1", true, checkpoint, "1h");
    Poll.until("all rows stored\n" + first.tail(), 60,
        () -> PrometheusText.sum(first.get("/metrics"), "telemetry_samples_persisted_total") >= DcgmSampleFile.ROWS);
    first.stop();
    byte[] bytes = Files.readAllBytes(checkpoint);
    Files.write(checkpoint, java.util.Arrays.copyOf(bytes, bytes.length - 100)); // a disk that filled up mid-write

    PipelineProcess second = start("pipeline-2", false, checkpoint, "1h");
    assertEquals(0, new JsonObject(second.get("/api/v1/gpus")).getJsonArray("gpus").size());
    assertEquals(1, PrometheusText.sum(second.get("/metrics"), "telemetry_checkpoint_failures_total", "operation=\"restore\""), 0.0);
    assertTrue(Files.exists(CheckpointFile.corrupt(checkpoint)), "set aside for a post-mortem");
    assertTrue(second.tail().contains("cannot be restored"), second.tail());
  }
}
