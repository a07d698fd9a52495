package org.gputelemetry.pipeline.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the roles of a process need from its file system, checked after the descriptor parsed and
 * before anything binds a port or opens a connection: a typo in a path fails the start at once,
 * with every such problem named, instead of after the gateway is already serving. (TLS and token
 * files are read while parsing, see {@link GatewaySettings}.)
 */
public final class StartupChecks {

  private StartupChecks() {
  }

  /** Throws one {@link ConfigException} naming every unusable path the roles of {@code s} need. */
  public static void check(PipelineSettings s) {
    List<ConfigException> problems = new ArrayList<>();
    if (s.runs(Role.STREAMER)) {
      String csv = s.streamer().csvPath();
      if (csv != null) {
        Path p = Path.of(csv);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
          problems.add(new ConfigException("streamer.csvPath", "no readable file at " + p.toAbsolutePath()));
        }
      }
      if (s.transport().type() == TransportType.REDIS) {
        spoolDirectory(s.transport().spool().dir(), problems);
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.all(problems);
    }
  }

  /**
   * An edge streamer spools to disk while Redis is unreachable: the directory must be an existing
   * writable directory, or creatable under one.
   */
  private static void spoolDirectory(String dir, List<ConfigException> problems) {
    Path p = Path.of(dir).toAbsolutePath();
    if (Files.exists(p)) {
      if (!Files.isDirectory(p) || !Files.isWritable(p)) {
        problems.add(new ConfigException("transport.spool.dir", "not a writable directory: " + p));
      }
      return;
    }
    Path ancestor = p.getParent();
    while (ancestor != null && !Files.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
      problems.add(new ConfigException("transport.spool.dir", "cannot create " + p
          + (ancestor == null ? "" : ": " + ancestor + " is not a writable directory")));
    }
  }
}
