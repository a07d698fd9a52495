package org.gputelemetry.pipeline.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's {@code promtool} (Debian package prometheus, which {@code scripts/provision-test-deps.sh}
 * installs). Missing, it fails the test with that hint rather than skipping: CI provisions first.
 */
public final class Promtool {

  /** Exit code and combined output of one run. */
  public record Result(int exitCode, String output) {
  }

  private Promtool() {
  }

  /** Runs {@code promtool args...} in {@code dir}, with {@code stdin} (or nothing) as its input. */
  public static Result run(Path dir, Path stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("promtool");
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "promtool", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run promtool: install the Debian package prometheus "
          + "(scripts/provision-test-deps.sh does)", e);
    }
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " timed out");
    }
    return new Result(process.exitValue(), Files.readString(log));
  }
}
