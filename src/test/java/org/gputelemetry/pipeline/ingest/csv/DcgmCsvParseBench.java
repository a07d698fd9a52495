package org.gputelemetry.pipeline.ingest.csv;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rough parse throughput of {@link DcgmCsvReader} on the bundled sample, held in memory so disk
 * and decoding stay out of the figure. Not a JUnit test; run its {@code main}:
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     org.gputelemetry.pipeline.ingest.csv.DcgmCsvParseBench [passes per round, default 200]
 * </pre>
 *
 * <p>One warm-up round, then five measured rounds; prints the median rows per second.
 */
public final class DcgmCsvParseBench {

  private static final int ROUNDS = 5;

  private DcgmCsvParseBench() {
  }

  public static void main(String[] args) throws IOException {
    int passes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    String csv = bundledSample();

    round(csv, passes);
    double[] rowsPerSecond = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      rowsPerSecond[r] = round(csv, passes);
      System.out.printf("round %d: %,.0f rows/s%n", r + 1, rowsPerSecond[r]);
    }
    Arrays.sort(rowsPerSecond);
    System.out.printf("median of %d rounds x %d passes: %,.0f rows/s%n", ROUNDS, passes, rowsPerSecond[ROUNDS / 2]);
  }

  /** Parses the text {@code passes} times; returns rows per second. */
  private static double round(String csv, int passes) {
    RejectCounter rejects = new RejectCounter();
    long rows = 0;
    long checksum = 0;
    long start = System.nanoTime();
    for (int p = 0; p < passes; p++) {
      try (DcgmCsvReader reader = DcgmCsvReader.open(new StringReader(csv), true, rejects)) {
        while (reader.next() != null) {
          rows++;
        }
        checksum += reader.lineNumber();
      }
    }
    long elapsed = System.nanoTime() - start;
    if (rejects.total() != 0 || checksum == 0) {
      throw new IllegalStateException("unexpected rejects: " + rejects.snapshot());
    }
    return rows * 1e9 / elapsed;
  }

  private static String bundledSample() throws IOException {
    try (InputStream in = DcgmCsvParseBench.class.getResourceAsStream(DcgmCsvReader.BUNDLED_SAMPLE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
