package org.gputelemetry.pipeline.testutil;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pipeline processes one test starts ({@link PipelineProcess}), their logs in one directory:
 * started through it, killed together at the end, their log tails in a failure message.
 * Not thread-safe: one test thread.
 */
public final class Fleet implements AutoCloseable {

  private final Path logs;
  private final List<PipelineProcess> processes = new ArrayList<>();

  public Fleet(Path logs) {
    this.logs = logs;
  }

  /** Starts a process whose {@code /ready} is served on {@code port} (see {@link PipelineProcess#start}). */
  public PipelineProcess start(String name, JsonObject descriptor, int port, Map<String, String> env) {
    PipelineProcess p = PipelineProcess.start(name, descriptor, port, env, logs);
    processes.add(p);
    return p;
  }

  public PipelineProcess start(String name, JsonObject descriptor, int port) {
    return start(name, descriptor, port, Map.of());
  }

  /** Every process started so far. */
  public List<PipelineProcess> processes() {
    return List.copyOf(processes);
  }

  /** The last lines of every process's log. */
  public String logs() {
    StringBuilder out = new StringBuilder();
    processes.forEach(p -> out.append(p.tail()).append('\n'));
    return out.toString();
  }

  /** SIGKILL to every process that still runs. */
  @Override
  public void close() {
    processes.forEach(PipelineProcess::kill);
  }
}
