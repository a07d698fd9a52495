package org.gputelemetry.pipeline.ingest.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Exact counts under concurrency, and a WARN per reason per interval at most. */
class DcgmCsvRejectCounterTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final AtomicLong clock = new AtomicLong(123_456_789L);
  private final RejectCounter rejects = new RejectCounter(INTERVAL, clock::get);

  @Test
  void labelsAreSnakeCase() {
    assertEquals("non_finite_value", RejectReason.NON_FINITE_VALUE.label());
    assertEquals("too_few_fields", RejectReason.TOO_FEW_FIELDS.label());
    for (RejectReason reason : RejectReason.values()) {
      assertTrue(reason.label().matches("[a-z]+(_[a-z]+)*"), reason.label());
    }
  }

  @Test
  void logsTheFirstRejectOfEachReasonAtOnce() {
    rejects.record(RejectReason.BAD_VALUE, 2, "value \"x\"");
    rejects.record(RejectReason.MISSING_UUID, 3, "uuid is empty");

    assertEquals(1, rejects.logged(RejectReason.BAD_VALUE));
    assertEquals(1, rejects.logged(RejectReason.MISSING_UUID));
  }

  @Test
  void logsAtMostOncePerReasonPerInterval() {
    for (int line = 2; line < 7; line++) {
      rejects.record(RejectReason.BAD_VALUE, line, "value \"x\"");
      clock.addAndGet(INTERVAL.toNanos() / 10);
    }
    assertEquals(1, rejects.logged(RejectReason.BAD_VALUE));

    clock.addAndGet(INTERVAL.toNanos());
    rejects.record(RejectReason.BAD_VALUE, 7, "value \"y\"");
    rejects.record(RejectReason.BAD_VALUE, 8, "value \"z\"");

    assertEquals(2, rejects.logged(RejectReason.BAD_VALUE));
    assertEquals(7, rejects.count(RejectReason.BAD_VALUE));
  }

  @Test
  void reportsLineDetailAndHowManyWereSuppressed() {
    try (DcgmCsvLogCapture log = DcgmCsvLogCapture.start()) {
      rejects.record(RejectReason.NON_FINITE_VALUE, 2, "value \"NaN\"");
      for (int line = 3; line < 7; line++) {
        rejects.record(RejectReason.NON_FINITE_VALUE, line, "value \"NaN\"");
      }
      clock.addAndGet(INTERVAL.toNanos());
      rejects.record(RejectReason.NON_FINITE_VALUE, 9, "value \"Infinity\"");

      List<String> messages = log.messages();
      assertEquals(2, messages.size());
      assertTrue(messages.get(0).contains("line 2 (non_finite_value): value \"NaN\"; 0 more"), messages.get(0));
      assertTrue(messages.get(1).contains("line 9 (non_finite_value): value \"Infinity\"; 4 more"), messages.get(1));
    }
  }

  @Test
  void rateLimitsEachReasonIndependently() {
    rejects.record(RejectReason.BAD_VALUE, 2, "a");
    rejects.record(RejectReason.BAD_VALUE, 3, "b");
    rejects.record(RejectReason.BAD_TIMESTAMP, 4, "c");
    rejects.record(RejectReason.BAD_TIMESTAMP, 5, "d");

    assertEquals(1, rejects.logged(RejectReason.BAD_VALUE));
    assertEquals(1, rejects.logged(RejectReason.BAD_TIMESTAMP));
    assertEquals(0, rejects.logged(RejectReason.LINE_TOO_LONG));
  }

  @Test
  void zeroIntervalLogsEveryReject() {
    RejectCounter unlimited = new RejectCounter(Duration.ZERO, clock::get);

    for (int line = 2; line < 5; line++) {
      unlimited.record(RejectReason.MISSING_METRIC, line, "metric_name is empty");
    }

    assertEquals(3, unlimited.logged(RejectReason.MISSING_METRIC));
  }

  @Test
  void negativeIntervalIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RejectCounter(Duration.ofSeconds(-1)));
  }

  @Test
  void snapshotHoldsEveryReasonAndDoesNotChangeAfterwards() {
    rejects.record(RejectReason.TOO_FEW_FIELDS, 2, "1 field");

    Map<RejectReason, Long> snapshot = rejects.snapshot();
    rejects.record(RejectReason.TOO_FEW_FIELDS, 3, "1 field");

    assertEquals(RejectReason.values().length, snapshot.size());
    assertEquals(1L, snapshot.get(RejectReason.TOO_FEW_FIELDS));
    assertEquals(0L, snapshot.get(RejectReason.LINE_TOO_LONG));
    assertThrows(UnsupportedOperationException.class, () -> snapshot.put(RejectReason.LINE_TOO_LONG, 1L));
  }

  @Test
  void countsAreExactWhenThreadsRecordConcurrently() throws InterruptedException {
    RejectCounter shared = new RejectCounter(INTERVAL);
    int threads = 4;
    int perThread = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      RejectReason reason = t % 2 == 0 ? RejectReason.BAD_VALUE : RejectReason.MISSING_UUID;
      Thread worker = new Thread(() -> {
        awaitQuietly(start);
        for (int i = 0; i < perThread; i++) {
          shared.record(reason, i, "concurrent");
        }
      });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    assertEquals(2L * perThread, shared.count(RejectReason.BAD_VALUE));
    assertEquals(2L * perThread, shared.count(RejectReason.MISSING_UUID));
    assertEquals((long) threads * perThread, shared.total());
    assertEquals(1, shared.logged(RejectReason.BAD_VALUE));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
