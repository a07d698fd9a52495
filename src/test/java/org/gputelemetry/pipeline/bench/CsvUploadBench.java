package org.gputelemetry.pipeline.bench;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.simulate.GenerateFleet;

/**
 * Uploads a simulated fleet's CSV (written once by {@link GenerateFleet}) to the in-process pipeline
 * (gateway + collector, local transport, memory store) with {@code POST /api/v1/csv/upload}, and
 * prints how fast the body is received (MiB/s, until the 202) and ingested (rows/s, from the 202
 * until the upload is done), medians of several uploads, and the JVM's peak RSS (the whole process:
 * store, client and server). Usage: {@code scripts/bench.sh upload [--gpus 200 --seconds 100 --runs 3]}.
 */
public final class CsvUploadBench {

  public static void main(String[] args) throws Exception {
    int gpus = Integer.parseInt(BenchSupport.arg(args, "gpus", "200"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "100"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "3"));
    Path dir = Files.createTempDirectory("upload-bench");
    Path csv = dir.resolve("fleet.csv");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process gen = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), GenerateFleet.class.getName(),
        "--gpus", Integer.toString(gpus), "--seconds", Integer.toString(seconds), "--out", csv.toString())
        .inheritIO().start();
    if (gen.waitFor() != 0) {
      throw new IllegalStateException("GenerateFleet failed");
    }
    long bytes = Files.size(csv);
    JsonObject descriptor = new JsonObject().put("roles", List.of("collector", "gateway"))
        .put("store", new JsonObject().put("type", "memory").put("maxEntriesPerGPU", 100_000))
        .put("transport", new JsonObject().put("type", "local"))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("upload", new JsonObject()
            .put("dir", dir.resolve("uploads").toString()).put("maxBytes", 4L << 30)));
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newHttpClient();
    List<Double> receive = new ArrayList<>();
    List<Double> ingest = new ArrayList<>();
    long rows = 0;
    try {
      PipelineVerticle pipeline = new PipelineVerticle();
      await(vertx.deployVerticle(pipeline, new DeploymentOptions().setConfig(descriptor)), 120);
      String base = "http://127.0.0.1:" + pipeline.gatewayPort();
      for (int run = 1; run <= runs; run++) {
        long t0 = System.nanoTime();
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/csv/upload"))
            .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofFile(csv)).build(),
            HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        if (posted.statusCode() != 202) {
          throw new IllegalStateException("upload refused: " + posted.statusCode() + " " + posted.body());
        }
        String id = new JsonObject(posted.body()).getString("id");
        JsonObject status;
        do {
          Thread.sleep(20);
          status = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/csv/uploads/" + id))
              .build(), HttpResponse.BodyHandlers.ofString()).body());
        } while (status.getString("status").equals("queued") || status.getString("status").equals("running"));
        long t2 = System.nanoTime();
        if (!status.getString("status").equals("done")) {
          throw new IllegalStateException("upload failed: " + status.encode());
        }
        rows = status.getLong("rows_accepted");
        double mibs = bytes / 1048576.0 / ((t1 - t0) / 1e9);
        double rowsPerSecond = rows / ((t2 - t1) / 1e9);
        receive.add(mibs);
        ingest.add(rowsPerSecond);
        System.out.printf("upload run %d: received %,.0f MiB/s, ingested %,.0f rows/s%n", run, mibs, rowsPerSecond);
      }
    } finally {
      await(vertx.close());
    }
    System.out.printf("CSV upload of %,d bytes (%,d rows): median received %,.0f MiB/s, ingested %,.0f rows/s over %d "
        + "uploads; peak RSS %d MiB%n", bytes, rows, BenchSupport.median(receive), BenchSupport.median(ingest), runs,
        BenchSupport.peakRssMiB());
  }
}
