package org.gputelemetry.pipeline.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command line: writes a simulated fleet to a file, as the bundled sample's CSV or as OpenMetrics
 * for promtool, streaming (memory does not grow with the output). A file is written under a
 * temporary name and renamed when complete, so a failed run leaves no half file behind.
 * Run {@code scripts/generate-fleet.sh --help} for the options.
 */
public final class GenerateFleet {

  static final String USAGE = """
      Usage: generate-fleet.sh --gpus N --seconds N --out FILE [options]

      Writes a seeded, realistic DCGM fleet: jobs start and end, utilisation walks, temperature
      follows power, memory steps, clocks hold, XID errors are rare. Same options, same output.

        --gpus N            GPUs in the fleet (required)
        --gpus-per-host N   GPUs per host (default 8); or
        --hosts N           spread the GPUs over N hosts
        --seconds N         simulated span in seconds (required)
        --interval D        time between samples of a series: 1s (default), 500ms, 1m, ...
        --seed S            seed (default 1)
        --start T           first timestamp, RFC 3339 (default 2025-07-18T20:42:34Z, the sample's)
        --metrics LIST      comma-separated DCGM names or short names, 'sample' (default: the
                            bundled sample's 10) or 'all' (20, XID errors and profiling included)
        --model M           h100 (default, NVIDIA H100 80GB HBM3) or a100
        --host-prefix P     hostnames are P001, P002, ... (default sim-dgx-)
        --format F          csv (default: the bundled sample's form, the streamer's source-mode
                            input) or openmetrics (for promtool tsdb create-blocks-from openmetrics)
        --out FILE          where to write; - for standard output (required)
        -h, --help          show this help
      """;

  private static final Set<String> VALUED = Set.of("--gpus", "--gpus-per-host", "--hosts", "--seconds", "--interval",
      "--seed", "--start", "--metrics", "--model", "--host-prefix", "--format", "--out");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private GenerateFleet() {
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; 0 on success, 2 for bad options, 1 when writing fails. */
  static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    Request request;
    try {
      Map<String, String> options = options(args);
      if (options.containsKey("--help")) {
        stdout.print(USAGE);
        return 0;
      }
      request = Request.of(options);
    } catch (IllegalArgumentException e) {
      stderr.println("generate-fleet: " + e.getMessage());
      stderr.println("Run with --help for the options.");
      return 2;
    }
    long started = System.nanoTime();
    try {
      long samples = request.out.equals("-") ? write(request, stdout) : writeFile(request, Path.of(request.out));
      double seconds = (System.nanoTime() - started) / 1e9;
      FleetConfig c = request.config;
      stderr.printf(Locale.ROOT, "generate-fleet: %,d samples (%d GPUs on %d host%s x %d metrics x %d ticks) as %s"
              + " to %s in %.1f s (%,.0f samples/s)%n", samples, c.gpus(), c.hosts(), c.hosts() == 1 ? "" : "s",
          c.metrics().size(), request.ticks,
          request.format, request.out, seconds, samples / Math.max(seconds, 1e-9));
      return 0;
    } catch (IOException | RuntimeException e) {
      stderr.println("generate-fleet: writing " + request.out + " failed: " + e);
      return 1;
    }
  }

  private static long writeFile(Request request, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
    try (OutputStream file = Files.newOutputStream(partial)) {
      long samples = write(request, file);
      file.close();
      Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return samples;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static long write(Request request, OutputStream stream) throws IOException {
    Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
    long samples = switch (request.format) {
      case "csv" -> DcgmCsvWriter.write(FleetSimulator.of(request.config), request.ticks, out);
      default -> OpenMetricsWriter.write(request.config, request.ticks, out);
    };
    out.flush();
    return samples;
  }

  private record Request(FleetConfig config, long ticks, String format, String out) {

    static Request of(Map<String, String> o) {
      int gpus = positiveInt(o, "--gpus", null);
      FleetConfig config = FleetConfig.of(gpus);
      if (o.containsKey("--gpus-per-host") && o.containsKey("--hosts")) {
        throw new IllegalArgumentException("give --gpus-per-host or --hosts, not both");
      }
      if (o.containsKey("--hosts")) {
        config = config.withHosts(positiveInt(o, "--hosts", null));
      } else {
        config = config.withGpusPerHost(positiveInt(o, "--gpus-per-host", "8"));
      }
      long seconds = positiveInt(o, "--seconds", null);
      Duration interval = duration(o.getOrDefault("--interval", "1s"));
      config = config.withInterval(interval).withSeed(longValue(o, "--seed", "1"));
      if (o.containsKey("--start")) {
        try {
          config = config.withStart(Instant.parse(o.get("--start")));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("--start: expected an RFC 3339 time such as 2025-07-18T20:00:00Z, got '"
              + o.get("--start") + "'");
        }
      }
      if (o.containsKey("--metrics")) {
        config = config.withMetrics(named("--metrics", () -> DcgmMetric.parseList(o.get("--metrics"))));
      }
      if (o.containsKey("--model")) {
        config = config.withModel(named("--model", () -> GpuModel.preset(o.get("--model"))));
      }
      if (o.containsKey("--host-prefix")) {
        FleetConfig before = config;
        config = named("--host-prefix", () -> before.withHostPrefix(o.get("--host-prefix")));
      }
      String format = o.getOrDefault("--format", "csv").toLowerCase(Locale.ROOT);
      if (!List.of("csv", "openmetrics").contains(format)) {
        throw new IllegalArgumentException("--format: expected csv or openmetrics, got '" + o.get("--format") + "'");
      }
      String out = o.get("--out");
      if (out == null || out.isEmpty()) {
        throw new IllegalArgumentException("--out is required");
      }
      long ticks = Math.max(1, seconds * 1_000_000L / config.intervalMicros());
      return new Request(config, ticks, format, out);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value = null;
      int eq = name.indexOf('=');
      if (name.startsWith("--") && eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("-h") || name.equals("--help")) {
        options.put("--help", "");
        continue;
      }
      if (!VALUED.contains(name)) {
        throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      options.put(name, value);
    }
    return options;
  }

  private static int positiveInt(Map<String, String> o, String name, String def) {
    String text = o.getOrDefault(name, def);
    if (text == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected a positive integer, got '" + text + "'");
    }
  }

  private static long longValue(Map<String, String> o, String name, String def) {
    String text = o.getOrDefault(name, def);
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected an integer, got '" + text + "'");
    }
  }

  private static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--interval: expected a duration such as 1s, 500ms, 1m or 1h, got '"
          + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException("--interval: must be at least 1ms, got '" + text + "'");
    }
    return d;
  }

  /** Runs {@code parse}, putting the option's name in front of its complaint. */
  private static <T> T named(String option, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
