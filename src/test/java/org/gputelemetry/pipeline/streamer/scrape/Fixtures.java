package org.gputelemetry.pipeline.streamer.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The recorded dcgm-exporter bodies under {@code src/test/resources/dcgm-exporter/}. */
final class Fixtures {

  static final String H100_8GPU = "h100-8gpu.txt";
  static final String A100_MIG = "a100-mig.txt";
  static final String V100_LEGACY = "v100-legacy.txt";
  static final String BROKEN = "broken-scrape.txt";
  static final String OPENMETRICS = "openmetrics-hostname.txt";
  static final String[] ALL = {H100_8GPU, A100_MIG, V100_LEGACY, BROKEN, OPENMETRICS};

  private Fixtures() {
  }

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/dcgm-exporter/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
