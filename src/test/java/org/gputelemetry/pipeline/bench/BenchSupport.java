package org.gputelemetry.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Shared bits of the benchmark commands: medians, peak RSS, argument parsing. */
final class BenchSupport {

  private BenchSupport() {
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Peak resident set size of this JVM in MiB (Linux VmHWM), or -1 where unknown. */
  static long peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** CPU time this JVM has used so far, all threads (user + system). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Rows committed per second by {@code pipeline}'s collector over {@code runs} windows of
   * {@code seconds} each, printed as they are measured ({@code label run N: ...}).
   */
  static List<Double> committedRates(String label, org.gputelemetry.pipeline.PipelineVerticle pipeline, int runs,
                                     int seconds) throws InterruptedException {
    List<Double> rates = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double before = pipeline.metrics().samplesPersisted.count();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double rate = (pipeline.metrics().samplesPersisted.count() - before) / ((System.nanoTime() - t0) / 1e9);
      rates.add(rate);
      System.out.printf("%s run %d: %,.0f rows/s committed%n", label, run, rate);
    }
    return rates;
  }

  static String arg(String[] args, String name, String def) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--" + name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
