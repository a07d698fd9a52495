package org.gputelemetry.pipeline.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Set;

/**
 * Keeps {@code /metrics} clean for {@code promtool check metrics}: Micrometer's JVM binders name
 * two counters in abbreviated units ({@code jvm_compilation_time_ms_total},
 * {@code process_cpu_time_ns_total}) and one gauge with a histogram suffix ({@code system_cpu_count}).
 * A counter's unit cannot be rescaled by a filter, so those two are denied and registered again in
 * seconds ({@code jvm_compilation_time_seconds_total}, {@code process_cpu_seconds_total}, the name
 * Prometheus client libraries use); the gauge is renamed {@code system_cpu_cores}. The filters must be
 * in place before the binders run, so the registry is made here and handed to Vert.x.
 */
public final class PrometheusNames {

  private static final Set<String> DENIED = Set.of("jvm.compilation.time", "process.cpu.time");

  private PrometheusNames() {
  }

  /** A Prometheus registry with the filters and the replacement counters. */
  public static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    configure(registry);
    return registry;
  }

  /** Adds the filters to {@code registry} and registers the replacements. */
  public static void configure(MeterRegistry registry) {
    registry.config()
        .meterFilter(MeterFilter.deny(id -> DENIED.contains(id.getName()) && !"seconds".equals(id.getBaseUnit())))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
          }
        });
    CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
    if (compilation != null && compilation.isCompilationTimeMonitoringSupported()) {
      // not the binder's own name: Micrometer would take that for a second registration of its counter and warn
      FunctionCounter.builder("jvm.compilation.time.seconds", compilation, c -> c.getTotalCompilationTime() / 1_000.0)
          .baseUnit("seconds").description("time the JIT compiler spent compiling")
          .tag("compiler", compilation.getName()).register(registry);
    }
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sunOs && sunOs.getProcessCpuTime() >= 0) {
      // named "process.cpu" so the unit suffix makes the conventional process_cpu_seconds_total
      FunctionCounter.builder("process.cpu", sunOs, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds").description("CPU time used by the process").register(registry);
    }
  }
}
