package org.gputelemetry.pipeline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Cursor;
import org.gputelemetry.pipeline.store.SamplePage;
import org.junit.jupiter.api.Test;

/** The streamed JSON is the same as the {@code JsonObject} shapes of {@link ApiJson}, character-escaping included. */
class SampleJsonTest {

  private final Random random = new Random(7);
  private final Gpu gpu = new Gpu("MIG-GPU-5fd4f087/1/0", 3, "nvidia3", "H100 \"SXM\"", "host-ü\t1");

  private Sample sample(long micros) {
    boolean k8s = random.nextBoolean();
    return new Sample(gpu, random.nextBoolean() ? "DCGM_FI_DEV_GPU_UTIL" : "m\\\"x", micros, random.nextDouble() * 1e4,
        k8s ? "c" : null, k8s ? "pod-\u2603" : null, k8s ? "ns" : null);
  }

  @Test
  void timestampsMatchTimestampsFormatExactly() {
    SampleJson.TimeText text = new SampleJson.TimeText();
    long base = Timestamps.parseMicros("2025-07-18T20:42:34Z");
    for (long micros : new long[] {base, base + 1, base + 1000, base + 100_000, base + 999_999, base + 1_000_000, 0, -1,
        -1_000_000, -1_500_000, Timestamps.parseMicros("9999-12-31T23:59:59.999999Z"),
        Timestamps.parseMicros("+10000-01-01T00:00:00Z"), Timestamps.parseMicros("+10000-01-01T00:00:00.5Z"),
        Timestamps.parseMicros("0000-01-01T00:00:00.000123Z"), Timestamps.parseMicros("-0001-12-31T23:59:59.25Z")}) {
      assertEquals(Timestamps.format(micros), text.format(micros), Long.toString(micros));
    }
    for (int i = 0; i < 100_000; i++) {
      long micros = base + (long) (random.nextGaussian() * 1e9);
      micros = random.nextInt(3) == 0 ? micros - Math.floorMod(micros, 1000) : micros;
      assertEquals(Timestamps.format(micros), text.format(micros));
    }
  }

  @Test
  void pageIsTheRestShape() {
    List<Sample> samples = new ArrayList<>();
    long t = Timestamps.parseMicros("2025-07-18T20:42:34Z");
    for (int i = 0; i < 500; i++) {
      samples.add(sample(t + i * 250_000L + (i % 3 == 0 ? 0 : i)));
    }
    Sample last = samples.get(samples.size() - 1);
    for (Cursor next : new Cursor[] {null, new Cursor(last.timestampMicros(), last.metric())}) {
      SamplePage page = new SamplePage(samples, next);
      JsonArray expected = new JsonArray();
      samples.forEach(s -> expected.add(ApiJson.sample(s)));
      JsonObject want = new JsonObject().put("uuid", gpu.uuid()).put("count", samples.size()).put("samples", expected)
          .put("next_cursor", next == null ? null : next.encode());
      assertEquals(want, new JsonObject(SampleJson.page(gpu.uuid(), page)));
    }
  }

  @Test
  void liveSamplesAreTheRestShapePlusUuid() {
    List<Sample> samples = List.of(sample(1), sample(2_000_000), sample(3_123_000));
    JsonArray want = new JsonArray();
    samples.forEach(s -> want.add(ApiJson.liveSample(s)));
    assertEquals(want, new JsonArray(SampleJson.live(samples)));
    assertEquals(ApiJson.liveSample(samples.get(0)), new JsonObject(SampleJson.liveSample(samples.get(0))));
  }
}
