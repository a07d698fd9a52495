package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the PostgreSQL path, with the pipeline in a process of its own: while a one-pass
 * replay of N rows (the bundled sample, repeated at later times) streams into PostgreSQL, every
 * connection the pipeline holds is cut with {@code pg_terminate_backend} (SQLSTATE 57P01, an
 * outage to wait out, never a content refusal), then the process is killed with SIGKILL. A new
 * process replays the same file once from the start (a streamer keeps no position across a
 * restart), its connections are cut again, and in the end the store holds exactly the file: N
 * rows, each (gpu, metric, timestamp) once with the file's value, and no dead letters.
 */
class PostgresFaultIT {

  private static final int COPIES = 6;
  private static final int N = DcgmSampleFile.ROWS * COPIES;
  /** Rows per second per streamer worker; two workers: N rows take about 5 s. */
  private static final int RATE = 1500;

  private final EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
  private final String database = server.createDatabase("fault");
  private final List<PipelineProcess> processes = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void tearDown() {
    processes.forEach(PipelineProcess::kill);
    server.dropDatabase(database);
  }

  /** The bundled sample COPIES times, each copy 10 s after the previous (the sample spans 4 s): N distinct samples. */
  private Path csv() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("src/main/resources", DcgmSampleFile.RESOURCE), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>(N + 1);
    out.add(lines.get(0));
    for (int copy = 0; copy < COPIES; copy++) {
      for (String line : lines.subList(1, lines.size())) {
        int end = line.indexOf('"', 1);
        Instant ts = Instant.parse(line.substring(1, end)).plusSeconds(10L * copy);
        out.add('"' + DateTimeFormatter.ISO_INSTANT.format(ts) + line.substring(end));
      }
    }
    assertEquals(N + 1, out.size());
    Path file = dir.resolve("fault.csv");
    Files.write(file, out, StandardCharsets.UTF_8);
    return file;
  }

  private PipelineProcess start(String name, Path csv) {
    int port = Ports.free();
    JsonObject descriptor = Pipelines.merge(Pipelines.descriptor("all-in-one-postgres.json"), new JsonObject()
        .put("streamer", new JsonObject().put("csvPath", csv.toString()).put("loopMode", false)
            .put("timestampMode", "source").put("rate", RATE).put("workers", 2))
        .put("collector", new JsonObject().put("batchSize", 1000).put("store", new JsonObject()
            .put("port", server.port()).put("database", database).put("user", "postgres").put("sslMode", "disable")))
        .put("gateway", new JsonObject().put("port", port).put("host", "127.0.0.1")));
    PipelineProcess p = PipelineProcess.start(name, descriptor, port, Map.of(), dir.resolve("logs"));
    processes.add(p);
    return p.ready(60);
  }

  private long query(String sql) {
    try (Connection c = server.connect(database); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      return -1; // the table may not exist yet
    }
  }

  private long rows() {
    return query("SELECT count(*) FROM samples");
  }

  /** Cuts every connection of the pipeline to this database, as an operator's pg_terminate_backend would; returns how many. */
  private long terminateConnections() {
    return query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + database
        + "' AND pid <> pg_backend_pid()");
  }

  private void waitForRows(PipelineProcess p, long atLeast) {
    Poll.until(atLeast + " rows stored (now " + rows() + ")\n" + p.tail(), 40, () -> rows() >= atLeast);
  }

  @Test
  void killedProcessAndTerminatedConnectionsLoseNothingAndDoubleNothing() throws Exception {
    Path csv = csv();
    long expectedValueSum = Math.round(DcgmSampleFile.samples().stream().mapToDouble(s -> s.value()).sum() * COPIES);

    PipelineProcess first = start("pipeline-1", csv);
    waitForRows(first, N / 10);
    long cut = terminateConnections();
    assertTrue(cut > 0, "the pipeline held connections to cut");
    waitForRows(first, N / 6);
    cut += terminateConnections();
    waitForRows(first, N / 4);
    long beforeKill = rows();
    assertTrue(beforeKill < N, "killed mid-stream: " + beforeKill + " of " + N + " rows stored");
    first.kill();
    long atKill = rows();

    PipelineProcess second = start("pipeline-2", csv);
    waitForRows(second, atKill + N / 8);
    cut += terminateConnections();
    Poll.until("the second process's one pass finished\n" + second.tail(), 60, () -> {
      JsonObject s = second.readiness("streamer");
      return s != null && s.getBoolean("finished", false);
    });
    Poll.until("every row stored (now " + rows() + ")\n" + second.tail(), 30, () -> rows() >= N);
    Thread.sleep(500);

    long stored = rows();
    long distinct = query("SELECT count(*) FROM (SELECT DISTINCT gpu_id, ts, metric_id FROM samples) d");
    long doubled = stored - distinct;
    long valueSum = query("SELECT round(sum(value)) FROM samples");
    long deadLetters = query("SELECT count(*) FROM dead_letters");
    String retried = second.get("/metrics").lines().filter(l -> l.startsWith("telemetry_store_write_failures_total"))
        .findFirst().orElse("telemetry_store_write_failures_total (none)");
    System.out.printf("PostgresFaultIT: rows expected %d, stored %d, doubled %d, lost %d; %d rows stored at the kill; "
        + "%d connections terminated; dead letters %d; second process: %s%n", N, stored, doubled,
        Math.max(0, N - stored), atKill, cut, deadLetters, retried);
    assertEquals(N, stored, "exactly N rows: nothing lost, nothing doubled");
    assertEquals(0, doubled);
    assertEquals(expectedValueSum, valueSum, "every row holds the file's value");
    assertEquals(247, query("SELECT count(*) FROM gpus"));
    assertEquals(0, deadLetters, "a terminated connection is an outage, not a content refusal");
  }
}
