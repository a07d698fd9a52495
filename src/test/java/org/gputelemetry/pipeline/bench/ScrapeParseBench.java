package org.gputelemetry.pipeline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gputelemetry.pipeline.streamer.scrape.DcgmExporterMapping;
import org.gputelemetry.pipeline.streamer.scrape.ExpositionFormat;
import org.gputelemetry.pipeline.streamer.scrape.ExpositionParser;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeRejects;

/**
 * Parsing dcgm-exporter scrapes on one thread: {@code --endpoints} synthetic exporter bodies
 * (default 1,000) of 8 GPUs × 20 metrics each, in the label layout of exporter 3.3+ (UUID,
 * pci_bus_id, device, modelName, Hostname, driver version, empty Kubernetes labels; every 8th
 * GPU in a pod, an XID series with err_code/err_msg), parsed with {@link ExpositionParser} alone
 * and parsed + mapped with {@link DcgmExporterMapping}. Prints samples/s of wall time and per
 * CPU-second of the parsing thread (median of {@code --runs} rounds of {@code --seconds}, after
 * {@code --warmup} seconds).
 * Usage: {@code java -cp ... org.gputelemetry.pipeline.bench.ScrapeParseBench [--endpoints 1000 --runs 5 --seconds 3 --warmup 5]}.
 */
public final class ScrapeParseBench {

  private static final int GPUS = 8;
  private static final String[] METRICS = {
      "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_GPU_TEMP",
      "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
      "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL",
      "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_RESERVED",
      "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE",
      "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_PROF_PCIE_RX_BYTES"};
  private static volatile Object sink;

  public static void main(String[] args) {
    int endpoints = Integer.parseInt(BenchSupport.arg(args, "endpoints", "1000"));
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "3"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "5"));
    List<byte[]> bodies = bodies(endpoints);
    long bytes = bodies.stream().mapToLong(b -> b.length).sum();
    int samplesPerPass = endpoints * GPUS * METRICS.length;
    System.out.printf("%d endpoints x %d GPUs x %d metrics = %,d samples per pass, %.1f MiB, %.0f bytes/line%n",
        endpoints, GPUS, METRICS.length, samplesPerPass, bytes / 1048576.0, (double) bytes / samplesPerPass);

    ExpositionParser parser = new ExpositionParser();
    Pass parseOnly = () -> {
      long n = 0;
      for (byte[] body : bodies) {
        n += parser.parse(body, ExpositionFormat.PROMETHEUS_TEXT, (s, r) -> { }, new ScrapeRejects()).series();
      }
      return n;
    };
    DcgmExporterMapping mapping = new DcgmExporterMapping();
    Pass parseAndMap = () -> {
      long n = 0;
      long now = System.currentTimeMillis() * 1000;
      for (byte[] body : bodies) {
        DcgmExporterMapping.Result r = mapping.map(body, ExpositionFormat.PROMETHEUS_TEXT, null, now);
        sink = r;
        n += r.samples().size();
      }
      return n;
    };
    double[] parse = measure("parse", parseOnly, runs, seconds, warmup);
    double[] mapped = measure("parse+map", parseAndMap, runs, seconds, warmup);
    System.out.printf("parse only:  median %,.0f samples/s wall, %,.0f per CPU-second of the thread, %,.0f of the JVM%n",
        parse[0], parse[1], parse[2]);
    System.out.printf("parse + map: median %,.0f samples/s wall, %,.0f per CPU-second of the thread, %,.0f of the JVM"
        + " (target >= 500,000 per core)%n", mapped[0], mapped[1], mapped[2]);
  }

  @FunctionalInterface
  private interface Pass {
    long run();
  }

  private static double[] measure(String label, Pass pass, int runs, int seconds, int warmup) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long until = System.nanoTime() + warmup * 1_000_000_000L;
    while (System.nanoTime() < until) {
      pass.run();
    }
    List<Double> wall = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    List<Double> process = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      long samples = 0;
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      long p0 = BenchSupport.processCpuNanos();
      long end = t0 + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        samples += pass.run();
      }
      double w = samples / ((System.nanoTime() - t0) / 1e9);
      double c = samples / ((threads.getCurrentThreadCpuTime() - c0) / 1e9);
      double p = samples / ((BenchSupport.processCpuNanos() - p0) / 1e9);
      wall.add(w);
      cpu.add(c);
      process.add(p);
      System.out.printf("%s run %d: %,.0f samples/s wall, %,.0f per CPU-second of the thread, %,.0f per CPU-second of the"
          + " JVM (GC included)%n", label, run, w, c, p);
    }
    return new double[] {BenchSupport.median(wall), BenchSupport.median(cpu), BenchSupport.median(process)};
  }

  static List<byte[]> bodies(int endpoints) {
    SplittableRandom random = new SplittableRandom(42);
    List<byte[]> out = new ArrayList<>(endpoints);
    for (int e = 0; e < endpoints; e++) {
      String host = String.format("gpu-node-%04d", e);
      String[] uuids = new String[GPUS];
      for (int g = 0; g < GPUS; g++) {
        uuids[g] = String.format("GPU-%08x-%04x-%04x-%04x-%012x", random.nextInt(), random.nextInt(0x10000),
            random.nextInt(0x10000), random.nextInt(0x10000), random.nextLong(1L << 48));
      }
      StringBuilder sb = new StringBuilder(64 * 1024);
      for (String metric : METRICS) {
        sb.append("# HELP ").append(metric).append(" synthetic.\n# TYPE ").append(metric).append(" gauge\n");
        for (int g = 0; g < GPUS; g++) {
          sb.append(metric).append("{gpu=\"").append(g).append("\",UUID=\"").append(uuids[g])
              .append("\",pci_bus_id=\"00000000:").append(String.format("%02X", 0x18 + g * 16))
              .append(":00.0\",device=\"nvidia").append(g).append("\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"")
              .append(host).append("\",DCGM_FI_DRIVER_VERSION=\"550.127.08\"");
          if (metric.equals("DCGM_FI_DEV_XID_ERRORS")) {
            sb.append(",err_code=\"0\",err_msg=\"No Error\"");
          }
          if (g == 7) {
            sb.append(",container=\"trainer\",namespace=\"ml-team\",pod=\"job-").append(e).append("\"");
          } else {
            sb.append(",container=\"\",namespace=\"\",pod=\"\"");
          }
          sb.append("} ");
          if (metric.startsWith("DCGM_FI_PROF")) {
            sb.append(String.format("%.6f", random.nextDouble()));
          } else if (metric.equals("DCGM_FI_DEV_POWER_USAGE")) {
            sb.append(String.format("%.3f", 60 + random.nextDouble() * 600));
          } else {
            sb.append(random.nextInt(100_000));
          }
          sb.append('\n');
        }
      }
      out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }
}
