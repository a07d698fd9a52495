package org.gputelemetry.pipeline.streamer.csv;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts rejected rows by reason and logs them without flooding: at most one line per reason
 * per interval, saying how many of that reason were not logged since. Thread-safe.
 */
public final class RejectCounter {

  private static final Logger LOG = LoggerFactory.getLogger(RejectCounter.class);

  private final Map<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
  private final Map<RejectReason, AtomicLong> lastLogged = new EnumMap<>(RejectReason.class);
  private final Map<RejectReason, AtomicLong> suppressed = new EnumMap<>(RejectReason.class);
  private final Map<RejectReason, AtomicLong> logLines = new EnumMap<>(RejectReason.class);
  private final long intervalNanos;
  private final LongSupplier nanoTime;

  public RejectCounter() {
    this(Duration.ofSeconds(10), System::nanoTime);
  }

  /** @param nanoTime the clock (injectable so tests can check the rate limit) */
  public RejectCounter(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    for (RejectReason r : RejectReason.values()) {
      counts.put(r, new LongAdder());
      lastLogged.put(r, new AtomicLong(Long.MIN_VALUE));
      suppressed.put(r, new AtomicLong());
      logLines.put(r, new AtomicLong());
    }
  }

  public void record(RejectReason reason, long lineNumber, String detail) {
    counts.get(reason).increment();
    long now = nanoTime.getAsLong();
    AtomicLong last = lastLogged.get(reason);
    long prev = last.get();
    if ((prev == Long.MIN_VALUE || now - prev >= intervalNanos) && last.compareAndSet(prev, now)) {
      long skipped = suppressed.get(reason).getAndSet(0);
      logLines.get(reason).incrementAndGet();
      LOG.warn("Rejected CSV row at line {} ({}): {}{}", lineNumber, reason.label(), detail,
          skipped > 0 ? " (" + skipped + " more " + reason.label() + " rows not logged)" : "");
    } else {
      suppressed.get(reason).incrementAndGet();
    }
  }

  public long count(RejectReason reason) {
    return counts.get(reason).sum();
  }

  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** How many log lines were written for {@code reason}. */
  public long logged(RejectReason reason) {
    return logLines.get(reason).get();
  }

  public Map<RejectReason, Long> snapshot() {
    Map<RejectReason, Long> out = new EnumMap<>(RejectReason.class);
    counts.forEach((r, c) -> out.put(r, c.sum()));
    return out;
  }
}
