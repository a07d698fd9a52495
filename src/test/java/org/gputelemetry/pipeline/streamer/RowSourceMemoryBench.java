package org.gputelemetry.pipeline.streamer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;

/**
 * Peak resident memory of a one-pass replay's reading side: streams a CSV through
 * {@link RowSource#slices} to two consumer threads and prints rows, rows/s and the process's
 * peak RSS ({@code VmHWM}). With {@code held} it reads the file whole as loop mode does for small
 * files, for comparison. Not a JUnit test; run its {@code main} with the heap to try:
 *
 * <pre>
 * java -Xmx256m -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     org.gputelemetry.pipeline.streamer.RowSourceMemoryBench /tmp/big.csv [stream|held]
 * </pre>
 */
public final class RowSourceMemoryBench {

  private static final int WORKERS = 2;

  private RowSourceMemoryBench() {
  }

  public static void main(String[] args) throws Exception {
    RowSource source = new RowSource(args[0], true);
    boolean held = args.length > 1 && args[1].equals("held");
    RejectCounter rejects = new RejectCounter();
    long start = System.nanoTime();
    long rows;
    if (held) {
      rows = source.readSlices(WORKERS, rejects).stream().mapToLong(List::size).sum();
    } else {
      rows = stream(source, rejects);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %,d rows (%d rejected) in %.1f s, %,.0f rows/s; %s%n", held ? "held" : "stream", rows,
        rejects.total(), seconds, rows / seconds, peakRss());
  }

  private static long stream(RowSource source, RejectCounter rejects) throws Exception {
    RowSource.Slices slices = source.slices(WORKERS, false, rejects);
    LongAdder rows = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    Thread reader = new Thread(slices.feed(), "reader");
    threads.add(reader);
    for (Iterable<Sample> slice : slices.perWorker()) {
      threads.add(new Thread(() -> slice.forEach(s -> rows.increment())));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    return rows.sum();
  }

  private static String peakRss() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS")).map(l -> l.replaceAll("\\s+", " "))
        .reduce((a, b) -> a + ", " + b).orElse("no /proc/self/status");
  }
}
