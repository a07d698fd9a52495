package org.gputelemetry.pipeline.transport;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.ops.PipelineMetrics;

/**
 * The receiving side's measure of batches that crossed a transport: for each sending cluster
 * ({@code cluster.id} stamped by the sender), the largest send-to-receive latency of the last
 * minute, exported as {@code cross_cluster_latency_seconds{source_cluster, target_cluster}}.
 *
 * <p>The two ends are on different clocks: the latency is the receiver's clock at receipt minus
 * the sender's at sending, so clock skew adds to it one for one (keep nodes on NTP; skew of a few
 * milliseconds is usual). A negative difference (receiver's clock behind) counts as 0. A maximum
 * over a window rather than the latest value: a gauge is scraped every 15-60 s, and the worst batch
 * of the interval is what an alert should see. Thread-safe.
 */
public final class CrossClusterLatency {

  /** Three rotating buffers of 20 s: a maximum over the last 40-60 s. */
  private static final long ROTATE_MILLIS = 20_000;
  private static final int BUFFERS = 3;
  /** The label comes from the wire: a bound on the series a confused sender can create. */
  private static final int MAX_SOURCES = 64;

  private final String targetCluster;
  private final PipelineMetrics metrics;
  private final Map<String, TimeWindowMax> bySource = new ConcurrentHashMap<>();

  /** @param targetCluster this process's {@code cluster.id} */
  public CrossClusterLatency(String targetCluster, PipelineMetrics metrics) {
    this.targetCluster = targetCluster;
    this.metrics = metrics;
  }

  public String cluster() {
    return targetCluster;
  }

  /**
   * Records a batch received now that {@code sourceCluster} sent at {@code sentMicros} (its
   * clock); nothing when either is missing (a sender older than the stamp).
   */
  public void received(String sourceCluster, long sentMicros) {
    if (sourceCluster == null || sourceCluster.isEmpty() || sentMicros <= 0) {
      return;
    }
    double seconds = Math.max(0, nowMicros() - sentMicros) / 1e6;
    TimeWindowMax max = bySource.get(sourceCluster);
    if (max == null) {
      if (bySource.size() >= MAX_SOURCES || sourceCluster.length() > 63) {
        return;
      }
      max = bySource.computeIfAbsent(sourceCluster, this::register);
    }
    max.record(seconds, TimeUnit.SECONDS);
  }

  /**
   * The wall clock in epoch microseconds, for both ends of the measure: {@code Instant.now()} has
   * microsecond resolution on Linux, where milliseconds would round a loopback hop to 0 or 1 ms.
   */
  public static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** Parses a stamp's text form; -1 when absent or not a number (never fails a batch). */
  public static long micros(String text) {
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private TimeWindowMax register(String sourceCluster) {
    TimeWindowMax max = new TimeWindowMax(Clock.SYSTEM, ROTATE_MILLIS, BUFFERS);
    metrics.crossClusterLatency(sourceCluster, targetCluster, () -> max.poll(TimeUnit.SECONDS));
    return max;
  }
}
