package org.gputelemetry.pipeline.hostile;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile CSV files through the whole pipeline, on both stores: good rows interleaved with every
 * kind of bad row a file can hold (a field over the parser's limit, a row of too many fields, an
 * unterminated quote, NUL bytes, timestamps no store can hold, lenient or non-finite numbers, a
 * short row). A one-pass replay must store exactly the good rows, each bad row must cost only
 * itself (counted in {@code telemetry_rows_rejected_total}), and the process must go on serving.
 */
class HostileCsvIT {

  private static final String HEADER =
      "timestamp,metric_name,gpu_id,device,uuid,modelName,Hostname,container,pod,namespace,value,labels_raw";
  private static final int GPUS = 12;
  private static final int SECONDS = 40;
  private static final Instant START = Instant.parse("2025-07-18T20:00:00Z");

  private Vertx vertx;
  private String database;
  @TempDir
  Path tmp;

  @AfterEach
  void tearDown() {
    if (vertx != null) {
      await(vertx.close());
    }
    if (database != null) {
      EmbeddedPostgresServer.shared().dropDatabase(database);
    }
  }

  private static String uuid(int gpu) {
    return String.format("GPU-00000000-0000-4000-8000-%012d", gpu);
  }

  private static String row(Instant at, int gpu, String hostname, String value) {
    return String.join(",", quote(at.toString()), quote("DCGM_FI_DEV_GPU_UTIL"), quote(Integer.toString(gpu)),
        quote("nvidia" + gpu), quote(uuid(gpu)), quote("NVIDIA H100 80GB HBM3"), quote(hostname), quote(""),
        quote(""), quote(""), quote(value), quote("gpu=\"\"" + gpu + "\"\""));
  }

  private static String quote(String s) {
    return '"' + s + '"';
  }

  /** The bad rows, one of each kind; each must be rejected alone. */
  private static List<String> badRows() {
    Instant t = START.plusSeconds(SECONDS + 100);
    List<String> bad = new ArrayList<>();
    bad.add(row(t, 1, "host-" + "x".repeat(17 * 1024 * 1024), "1"));             // a field over 16 MB
    bad.add("\"" + "f\",\"".repeat(17_000) + "\"");                              // 17,000 fields
    bad.add(row(t, 2, "host-a", "5").replaceFirst("\"5\"", "\"5"));                 // unterminated quote
    bad.add(row(t, 3, "host\u0000evil", "1"));                                    // NUL in a text field
    bad.add(row(Instant.parse("0000-01-01T00:00:00Z"), 4, "host-a", "1"));        // year 0000
    bad.add(row(t, 5, "host-a", "1").replace(t.toString(), "+290000-01-01T00:00:00Z"));
    bad.add(row(t, 6, "host-a", "1").replace(t.toString(), "-290000-01-01T00:00:00Z"));
    for (String lenient : List.of("1d", "1f", "0x1p3", "NaN", "Infinity", "-Inf", "", "1_000", "1,5")) {
      bad.add(row(t, 7, "host-a", lenient));
    }
    bad.add("\"" + t + "\",\"DCGM_FI_DEV_GPU_UTIL\",\"8\"");                       // a short row
    return bad;
  }

  private Path hostileFile() throws IOException {
    Path file = tmp.resolve("hostile.csv");
    List<String> bad = badRows();
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      int n = 0;
      for (int s = 0; s < SECONDS; s++) {
        for (int g = 0; g < GPUS; g++) {
          out.write(row(START.plusSeconds(s), g, "host-" + (g / 4), Integer.toString((s * 7 + g) % 101)));
          out.write('\n');
          // a bad row every few good ones, the good rows right after it must survive
          if (++n % 17 == 0 && n / 17 <= bad.size()) {
            out.write(bad.get(n / 17 - 1));
            out.write('\n');
          }
        }
      }
    }
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "postgres"})
  void aOnePassReplayStoresExactlyTheGoodRows(String storeType) throws Exception {
    Path file = hostileFile();
    int good = GPUS * SECONDS;
    int bad = badRows().size();
    assertTrue(good / 17 >= bad, "every bad row is written into the file");
    JsonObject descriptor = Pipelines.onePassAllInOne(file.toString());
    EmbeddedPostgresServer server = null;
    if (storeType.equals("postgres")) {
      server = EmbeddedPostgresServer.shared();
      database = server.createDatabase("hostile_csv");
      descriptor = Pipelines.onPostgres(descriptor, server, database);
    }
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, descriptor);
    await(pipeline.streamer().finished(), 120);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pipeline.gatewayPort()));

    long stored = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      stored = server != null ? server.sampleRows(database) : storedThroughRest(client);
      if (stored >= good) {
        break;
      }
      Thread.sleep(200);
    }
    String metrics = await(client.get("/metrics").send()).bodyAsString();
    double rejected = PrometheusText.sum(metrics, "telemetry_rows_rejected_total");
    System.out.printf("hostile CSV (%s store): %d good rows, %d bad rows; %d stored, %.0f rejected%n",
        storeType, good, bad, stored, rejected);
    assertEquals(good, stored, "every good row is stored, and only those");
    assertEquals(bad, rejected, 0.0, "each bad row is counted once:\n" + metrics.lines()
        .filter(l -> l.startsWith("telemetry_rows_rejected_total")).toList());
    assertEquals(200, await(client.get("/health").send()).statusCode(), "the process goes on serving");
  }

  private static long storedThroughRest(WebClient client) {
    long total = 0;
    for (int g = 0; g < GPUS; g++) {
      JsonObject page = await(client.get("/api/v1/gpus/" + uuid(g) + "/telemetry?limit=10000").send()).bodyAsJsonObject();
      total += page == null ? 0 : page.getInteger("count", 0);
    }
    return total;
  }
}
