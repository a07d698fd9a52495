package org.gputelemetry.pipeline.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateFleetTest {

  record Result(int exitCode, String out, String err) {
  }

  @Test
  void writesTheFleetItWasAskedForAsCsv(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("fleet.csv");

    Result result = run("--gpus", "12", "--hosts", "3", "--seconds", "5", "--interval", "500ms", "--seed", "7",
        "--start", "2025-07-18T20:00:00Z", "--out", out.toString());

    assertEquals(0, result.exitCode, result.err);
    assertTrue(result.err.contains("1,200 samples (12 GPUs on 3 hosts x 10 metrics x 10 ticks)"), result.err);
    RejectCounter rejects = new RejectCounter();
    List<Sample> samples = DcgmCsvReader.readAll(out, true, rejects);
    assertEquals(0, rejects.total());
    assertEquals(12 * 10 * 10, samples.size());
    Set<String> hosts = new HashSet<>();
    samples.forEach(s -> hosts.add(s.gpu().hostname()));
    assertEquals(Set.of("sim-dgx-001", "sim-dgx-002", "sim-dgx-003"), hosts);
    assertEquals(Timestamps.parseMicros("2025-07-18T20:00:00Z"), samples.get(0).timestampMicros());
    assertEquals(Timestamps.parseMicros("2025-07-18T20:00:04.5Z"), samples.get(samples.size() - 1).timestampMicros());
    assertFalse(Files.exists(dir.resolve("fleet.csv.partial")));
  }

  @Test
  void sameOptionsWriteTheSameBytes(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.om");
    Path b = dir.resolve("b.om");
    String[] options = {"--gpus", "9", "--seconds", "20", "--format", "openmetrics", "--metrics", "all", "--model", "a100"};

    assertEquals(0, run(with(options, "--out", a.toString())).exitCode);
    assertEquals(0, run(with(options, "--out", b.toString())).exitCode);

    assertEquals(Files.readString(a), Files.readString(b));
    assertTrue(Files.readString(a).contains("modelName=\"NVIDIA A100-SXM4-80GB\""));
    assertTrue(Files.readString(a).endsWith("# EOF\n"));
  }

  @Test
  void helpExitsZero() {
    Result result = run("--help");

    assertEquals(0, result.exitCode);
    assertTrue(result.out.startsWith("Usage: generate-fleet.sh"), result.out);
    assertTrue(result.out.contains("--format F"), result.out);
  }

  @Test
  void badOptionsExitTwoNamingTheOption(@TempDir Path dir) {
    String out = dir.resolve("x.csv").toString();
    assertBad("--gpus", "--gpus", "0", "--seconds", "1", "--out", out);
    assertBad("--seconds is required", "--gpus", "1", "--out", out);
    assertBad("--out is required", "--gpus", "1", "--seconds", "1");
    assertBad("--format", "--gpus", "1", "--seconds", "1", "--format", "xml", "--out", out);
    assertBad("--interval", "--gpus", "1", "--seconds", "1", "--interval", "1 second", "--out", out);
    assertBad("--start", "--gpus", "1", "--seconds", "1", "--start", "yesterday", "--out", out);
    assertBad("--metrics: unknown metric 'DCGM_FI_DEV_NOPE'", "--gpus", "1", "--seconds", "1", "--metrics",
        "DCGM_FI_DEV_NOPE", "--out", out);
    assertBad("unknown option '--gpu'", "--gpu", "1");
    assertBad("not both", "--gpus", "8", "--hosts", "2", "--gpus-per-host", "4", "--seconds", "1", "--out", out);
    assertFalse(Files.exists(Path.of(out)), "nothing written on a bad option");
  }

  @Test
  void theScriptRunsTheCommand(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("fleet.om");
    // the compiled classes stand in for the jar, which the unit tier does not build
    Result help = script(dir, "--help");
    Result written = script(dir, "--gpus", "3", "--seconds", "2", "--format", "openmetrics", "--out", out.toString());

    assertEquals(0, help.exitCode, help.err);
    assertTrue(help.out.startsWith("Usage: generate-fleet.sh"), help.out);
    assertTrue(help.out.contains("--format F"), "the command's own option list: " + help.out);
    assertEquals(0, written.exitCode, written.err);
    assertTrue(Files.readString(out).startsWith("# HELP DCGM_FI_DEV_GPU_UTIL "));
  }

  private static Result script(Path dir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/generate-fleet.sh"));
    command.addAll(List.of(args));
    Path out = dir.resolve("script.out");
    Path err = dir.resolve("script.err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("JAR", Path.of("target/classes").toAbsolutePath().toString());
    Process process = builder.start();
    assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "script timed out");
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static void assertBad(String message, String... args) {
    Result result = run(args);
    assertEquals(2, result.exitCode, result.err);
    assertTrue(result.err.contains(message), result.err);
  }

  private static String[] with(String[] options, String... more) {
    String[] all = new String[options.length + more.length];
    System.arraycopy(options, 0, all, 0, options.length);
    System.arraycopy(more, 0, all, options.length, more.length);
    return all;
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GenerateFleet.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
