package org.gputelemetry.pipeline.streamer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Poll;
import org.jctools.queues.MpscArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One streamer worker against a real ring and no transport: it puts its slice into the ring in
 * order, only the GPUs its assignment owns, waits while the ring is full without dropping a row,
 * stops promptly when asked, stamps processing time when asked, and keeps to its rate.
 */
class ReplayWorkerTest {

  private static final List<Sample> SAMPLE = DcgmSampleFile.samples();
  private static final Assignment ALONE = new Assignment(0, 1);

  private final List<Thread> threads = new ArrayList<>();
  private final List<ReplayWorker> workers = new ArrayList<>();

  @AfterEach
  void stopWorkers() throws InterruptedException {
    workers.forEach(ReplayWorker::stop);
    for (Thread t : threads) {
      t.join(5_000);
    }
  }

  private Thread run(ReplayWorker worker) {
    Thread t = new Thread(worker, "replay-worker-test");
    workers.add(worker);
    threads.add(t);
    t.start();
    return t;
  }

  /** Takes everything the ring holds now. */
  private static List<Sample> drain(MpscArrayQueue<Sample> ring) {
    List<Sample> out = new ArrayList<>();
    ring.drain(out::add);
    return out;
  }

  @Test
  void onePassPutsTheWholeSliceIntoTheRingInOrderAndEnds() throws InterruptedException {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(4096);
    ReplayWorker worker = new ReplayWorker(SAMPLE, ring, false, false, 0, () -> ALONE);
    Thread t = run(worker);
    t.join(10_000);

    assertFalse(t.isAlive(), "one pass ends at the end of the slice");
    assertEquals(SAMPLE, drain(ring), "every row once, in the file's order, timestamps as in the file");
    assertEquals(SAMPLE.size(), worker.emitted());
  }

  @Test
  void onlyTheGpusTheAssignmentOwnsAreEmittedAndEachGpuKeepsItsOrder() throws InterruptedException {
    Assignment share = new Assignment(1, 3);
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(4096);
    ReplayWorker worker = new ReplayWorker(SAMPLE, ring, false, false, 0, () -> share);
    Thread t = run(worker);
    t.join(10_000);

    List<Sample> expected = SAMPLE.stream().filter(s -> GpuPartitioner.owns(share, s.gpu().uuid())).toList();
    List<Sample> got = drain(ring);
    assertTrue(expected.size() > 0 && expected.size() < SAMPLE.size(), "a real share: " + expected.size());
    assertEquals(expected, got);
    Map<String, List<Long>> perGpu = got.stream().collect(Collectors.groupingBy(s -> s.gpu().uuid(),
        Collectors.mapping(Sample::timestampMicros, Collectors.toList())));
    perGpu.forEach((gpu, times) -> assertEquals(times.stream().sorted().toList(), times, "order of " + gpu));
    assertEquals(expected.size(), worker.emitted());
  }

  @Test
  void fullRingMakesTheWorkerWaitAndNoRowIsDropped() throws InterruptedException {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(8);
    List<Sample> slice = SAMPLE.subList(0, 200);
    ReplayWorker worker = new ReplayWorker(slice, ring, false, false, 0, () -> ALONE);
    Thread t = run(worker);

    Poll.until("the ring is full", 5, () -> ring.size() == ring.capacity());
    Thread.sleep(200);
    assertTrue(t.isAlive(), "the worker waits for room");
    assertEquals(ring.capacity(), ring.size(), "the ring stays full, nothing overwritten");

    List<Sample> got = new ArrayList<>();
    while (t.isAlive() || !ring.isEmpty()) {
      Sample s = ring.relaxedPoll();
      if (s == null) {
        Thread.sleep(1);
      } else {
        got.add(s);
      }
    }
    assertEquals(slice, got, "every row arrives once, in order, after the stall");
    assertEquals(slice.size(), worker.emitted());
  }

  @Test
  void stopEndsAWorkerThatIsWaitingForRoom() throws InterruptedException {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(8);
    ReplayWorker worker = new ReplayWorker(SAMPLE, ring, true, false, 0, () -> ALONE);
    Thread t = run(worker);
    Poll.until("the ring is full", 5, () -> ring.size() == ring.capacity());

    long stopAt = System.nanoTime();
    worker.stop();
    t.join(2_000);
    assertFalse(t.isAlive(), "stopped while waiting");
    assertTrue(System.nanoTime() - stopAt < 1_000_000_000L, "promptly (the wait backs off to 2 ms at most)");
    assertEquals(ring.capacity(), worker.emitted());
  }

  @Test
  void processingTimeModeStampsEachRowWithTheTimeItEntersTheRing() throws InterruptedException {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(4096);
    List<Sample> slice = SAMPLE.subList(0, 500);
    long before = Timestamps.nowMicros();
    Thread t = run(new ReplayWorker(slice, ring, false, true, 0, () -> ALONE));
    t.join(10_000);
    long after = Timestamps.nowMicros();

    List<Sample> got = drain(ring);
    assertEquals(slice.size(), got.size());
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < got.size(); i++) {
      Sample s = got.get(i);
      assertEquals(slice.get(i).withTimestamp(s.timestampMicros()), s, "only the timestamp changes");
      assertTrue(s.timestampMicros() >= before - 1_000 && s.timestampMicros() <= after + 1_000,
          "stamped now: " + s.timestampMicros());
      assertTrue(s.timestampMicros() >= previous, "stamps never go backwards");
      previous = s.timestampMicros();
    }
    assertNotEquals(slice.get(0).timestampMicros(), got.get(0).timestampMicros());
  }

  @Test
  void loopModeReplaysAgainAndANewAssignmentTakesEffectOnTheNextPass() {
    AtomicReference<Assignment> share = new AtomicReference<>(new Assignment(0, 2));
    List<Sample> slice = SAMPLE.subList(0, 300);
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
    ReplayWorker worker = new ReplayWorker(slice, ring, true, false, 0, share::get);
    run(worker);
    List<Sample> firstShare = slice.stream().filter(s -> GpuPartitioner.owns(share.get(), s.gpu().uuid())).toList();

    List<Sample> got = new ArrayList<>();
    Poll.until("two passes of the first share", 10, () -> {
      got.addAll(drain(ring));
      return got.size() >= 2 * firstShare.size();
    });
    assertEquals(firstShare, got.subList(0, firstShare.size()));
    assertEquals(firstShare, got.subList(firstShare.size(), 2 * firstShare.size()), "the second pass repeats the first");
    assertTrue(got.stream().allMatch(s -> GpuPartitioner.owns(new Assignment(0, 2), s.gpu().uuid())),
        "no GPU of the other streamer while the share is 0/2");

    share.set(ALONE);
    Poll.until("a GPU of the former other share, after the next pass starts", 10, () -> {
      List<Sample> more = drain(ring);
      got.addAll(more);
      return more.stream().anyMatch(s -> !GpuPartitioner.owns(new Assignment(0, 2), s.gpu().uuid()));
    });
  }

  @Test
  void rateLimitsRowsPerSecond() throws InterruptedException {
    MpscArrayQueue<Sample> ring = new MpscArrayQueue<>(1024);
    int rows = 300;
    long rate = 1_000;
    long start = System.nanoTime();
    Thread t = run(new ReplayWorker(SAMPLE.subList(0, rows), ring, false, false, rate, () -> ALONE));
    t.join(10_000);
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertFalse(t.isAlive());
    assertEquals(rows, ring.size());
    assertTrue(ms >= 250, rows + " rows at " + rate + "/s took only " + ms + " ms");
  }
}
