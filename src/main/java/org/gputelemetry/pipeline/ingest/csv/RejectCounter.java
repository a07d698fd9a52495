package org.gputelemetry.pipeline.ingest.csv;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts skipped CSV rows per {@link RejectReason} and logs them without flooding the log.
 *
 * <p>Thread-safe: several readers may share one counter. Counts are exact. Logging is
 * rate-limited per reason: at most one WARN per reason per interval, naming the line, what was
 * wrong with it, and how many rows of that reason were skipped silently since the previous WARN.
 * The first reject of each reason is always logged.
 */
public final class RejectCounter {

  private static final Logger LOG = LoggerFactory.getLogger(RejectCounter.class);
  private static final Duration DEFAULT_LOG_INTERVAL = Duration.ofSeconds(10);

  private final Map<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
  private final Map<RejectReason, LogGate> gates = new EnumMap<>(RejectReason.class);
  private final long intervalNanos;
  private final LongSupplier nanoTime;

  /** Logs each reason at most once every 10 seconds. */
  public RejectCounter() {
    this(DEFAULT_LOG_INTERVAL);
  }

  /** Logs each reason at most once per {@code logInterval}; zero logs every reject. */
  public RejectCounter(Duration logInterval) {
    this(logInterval, System::nanoTime);
  }

  /** With an injectable clock, so tests can step time instead of sleeping. */
  RejectCounter(Duration logInterval, LongSupplier nanoTime) {
    if (logInterval.isNegative()) {
      throw new IllegalArgumentException("logInterval must not be negative: " + logInterval);
    }
    this.intervalNanos = logInterval.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    long start = nanoTime.getAsLong();
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, new LongAdder());
      // Back-dated by one interval so the first reject of each reason is logged at once.
      gates.put(reason, new LogGate(start - intervalNanos));
    }
  }

  /**
   * Counts one skipped row.
   *
   * @param lineNumber line of the input where the row starts (1 is the header)
   * @param detail what was wrong, short; it goes into the log as is
   */
  public void record(RejectReason reason, long lineNumber, String detail) {
    counts.get(reason).increment();
    LogGate gate = gates.get(reason);
    if (gate.tryOpen(nanoTime.getAsLong(), intervalNanos)) {
      long suppressed = gate.suppressed.getAndSet(0);
      gate.logged.incrementAndGet();
      LOG.warn("Skipped CSV row at line {} ({}): {}; {} more '{}' rows skipped since the last report",
          lineNumber, reason.label(), detail, suppressed, reason.label());
    } else {
      gate.suppressed.incrementAndGet();
    }
  }

  /** Rows skipped for this reason so far. */
  public long count(RejectReason reason) {
    return counts.get(reason).sum();
  }

  /** Rows skipped for any reason so far. */
  public long total() {
    long total = 0;
    for (LongAdder count : counts.values()) {
      total += count.sum();
    }
    return total;
  }

  /** Counts of every reason, zeros included, as of now; an unmodifiable copy. */
  public Map<RejectReason, Long> snapshot() {
    Map<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
    counts.forEach((reason, count) -> copy.put(reason, count.sum()));
    return Collections.unmodifiableMap(copy);
  }

  /** How many WARN lines were written for this reason (for tests of the rate limit). */
  long logged(RejectReason reason) {
    return gates.get(reason).logged.get();
  }

  /** Per-reason rate limit: when the last WARN went out and what was swallowed since. */
  private static final class LogGate {
    private final AtomicLong lastLogNanos;
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong logged = new AtomicLong();

    LogGate(long lastLogNanos) {
      this.lastLogNanos = new AtomicLong(lastLogNanos);
    }

    /** True for exactly one caller per interval; compares differences, as nanoTime requires. */
    boolean tryOpen(long now, long intervalNanos) {
      long last = lastLogNanos.get();
      return now - last >= intervalNanos && lastLogNanos.compareAndSet(last, now);
    }
  }
}
