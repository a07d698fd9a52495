package org.gputelemetry.pipeline.streamer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.gputelemetry.pipeline.ingest.csv.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-pass files are streamed with bounded memory; the rows and their per-GPU order are kept. */
class RowSourceTest {

  private static final int ROWS = 60_000;

  @TempDir
  Path dir;

  @Test
  void onePassFileIsStreamedNotHeld() throws Exception {
    // a bad row at the very end: it is counted only once the reader has reached the end of the file
    Path csv = write(ROWS, 8, "GPU-END,m,not-a-number");
    RejectCounter rejects = new RejectCounter();
    RowSource.Slices slices = new RowSource(csv.toString(), false).slices(1, false, rejects);
    assertNotNull(slices.feed(), "one-pass rows must be streamed");
    assertEquals(-1, slices.heldRows());
    Thread reader = start(slices.feed());

    Iterator<Sample> rows = slices.perWorker().get(0).iterator();
    assertTrue(rows.hasNext());
    assertEquals(0.0, rows.next().value());
    Thread.sleep(300); // nobody reads on: the reader must stop at its queue bound
    assertEquals(0, rejects.total(), "the whole file was read ahead of the worker");
    assertTrue(reader.isAlive());

    int count = 1;
    while (rows.hasNext()) {
      assertEquals(count, rows.next().value());
      count++;
    }
    assertEquals(ROWS, count);
    assertEquals(1, rejects.count(RejectReason.BAD_VALUE));
    reader.join(5_000);
  }

  @Test
  void streamedSlicesHoldTheSameRowsInTheSameOrderAsHeldOnes() throws Exception {
    Path csv = write(20_000, 16, "bad,row");
    RejectCounter heldRejects = new RejectCounter();
    List<List<Sample>> held = new RowSource(csv.toString(), false).readSlices(3, heldRejects);
    RejectCounter rejects = new RejectCounter();
    RowSource.Slices streamed = new RowSource(csv.toString(), false).slices(3, false, rejects);
    Thread reader = start(streamed.feed());

    List<List<Sample>> read = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      List<Sample> mine = new ArrayList<>();
      read.add(mine);
      Iterable<Sample> slice = streamed.perWorker().get(w);
      Thread t = new Thread(() -> slice.forEach(mine::add));
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join(10_000);
    }
    reader.join(5_000);

    assertEquals(held, read);
    assertEquals(20_000, read.stream().mapToInt(List::size).sum());
    assertEquals(1, rejects.total());
  }

  @Test
  void streamedLoopYieldsEveryRowOnEveryPassAndCountsRejectsOnce() throws Exception {
    Path csv = write(1_000, 4, "bad,row");
    RejectCounter rejects = new RejectCounter();
    RowSource source = new RowSource(csv.toString(), false);
    RowFeed feed = new RowFeed(source, 1, true, rejects);
    Thread reader = start(feed);
    Iterable<Sample> slice = feed.slice(0);

    for (int pass = 0; pass < 3; pass++) {
      List<Sample> rows = new ArrayList<>();
      slice.forEach(rows::add);
      assertEquals(1_000, rows.size(), "pass " + pass);
      assertEquals(999.0, rows.get(999).value());
    }
    feed.stop();
    reader.join(5_000);
    assertEquals(1, rejects.total());
  }

  @Test
  void smallLoopedFileIsHeldInMemory() throws IOException {
    Path csv = write(100, 4, "bad,row");

    RowSource.Slices slices = new RowSource(csv.toString(), false).slices(2, true, new RejectCounter());

    assertNull(slices.feed());
    assertEquals(100, slices.heldRows());
  }

  /** Rows of {@code gpus} GPUs in turn, values 0, 1, 2... in file order, then {@code last}. */
  private Path write(int rows, int gpus, String last) throws IOException {
    StringBuilder text = new StringBuilder("uuid,metric_name,value\n");
    for (int i = 0; i < rows; i++) {
      text.append("GPU-").append(i % gpus).append(",m,").append(i).append('\n');
    }
    text.append(last).append('\n');
    Path file = dir.resolve("rows.csv");
    Files.writeString(file, text);
    return file;
  }

  private static Thread start(RowFeed feed) {
    Thread t = new Thread(feed, "test-feed");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
