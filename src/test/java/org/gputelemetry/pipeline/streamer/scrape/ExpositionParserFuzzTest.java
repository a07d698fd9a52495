package org.gputelemetry.pipeline.streamer.scrape;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of the recorded fixtures (flipped, inserted, deleted and duplicated bytes,
 * spliced lines, cut bodies) through parser and mapping: nothing throws, nothing hangs, and the
 * output stays bounded by the input. Seeded, so a failure replays; the seed is in the message.
 */
class ExpositionParserFuzzTest {

  private static final int ROUNDS = 20_000;
  private static final byte[] INTERESTING = "{}\",=\\\n\r #\t+-.eE0123456789NaInf_:".getBytes();

  @Test
  void mutatedScrapesNeverThrowNorHangAndStayBounded() {
    long seed = 0x5EED_13L;
    SplittableRandom random = new SplittableRandom(seed);
    byte[][] fixtures = Arrays.stream(Fixtures.ALL).map(Fixtures::bytes).toArray(byte[][]::new);
    ExpositionLimits limits = new ExpositionLimits(4096, 16);
    DcgmExporterMapping mapping = new DcgmExporterMapping("UUID", limits);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int round = 0; round < ROUNDS; round++) {
        byte[] body = mutate(fixtures[random.nextInt(fixtures.length)], random);
        ExpositionFormat fmt = random.nextBoolean() ? ExpositionFormat.PROMETHEUS_TEXT : ExpositionFormat.OPENMETRICS;
        try {
          DcgmExporterMapping.Result r = mapping.map(body, fmt, random.nextBoolean() ? null : "h", 1L);
          int lines = r.summary().lines();
          assertTrue(r.summary().series() <= lines, "more series than lines");
          assertTrue(r.samples().size() + r.rejects().total() <= lines, "more outcomes than lines");
          assertTrue(r.rejects().examples().size() <= ScrapeRejects.MAX_EXAMPLES);
          for (ScrapedSample s : r.samples()) {
            assertTrue(Double.isFinite(s.value()), "non-finite value passed");
            assertTrue(s.labels().size() <= limits.maxLabels());
          }
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError("seed " + seed + " round " + round + ": " + e, e);
        }
      }
    });
  }

  private static byte[] mutate(byte[] in, SplittableRandom random) {
    byte[] b = in.clone();
    int mutations = 1 + random.nextInt(8);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(6)) {
        case 0 -> b[at] = (byte) random.nextInt(256);
        case 1 -> b[at] = INTERESTING[random.nextInt(INTERESTING.length)];
        case 2 -> { // delete a run
          int len = Math.min(b.length - at, 1 + random.nextInt(40));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
        case 3 -> { // duplicate a run in place
          int len = Math.min(b.length - at, 1 + random.nextInt(200));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, at + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          b = out;
        }
        case 4 -> b = Arrays.copyOf(b, at); // cut
        default -> { // a long line without an end
          byte[] out = Arrays.copyOf(b, b.length + 5000);
          Arrays.fill(out, b.length, out.length, (byte) 'a');
          b = out;
        }
      }
    }
    return b;
  }
}
