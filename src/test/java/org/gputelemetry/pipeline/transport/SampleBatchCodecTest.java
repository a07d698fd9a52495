package org.gputelemetry.pipeline.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.junit.jupiter.api.Test;

class SampleBatchCodecTest {

  private final SampleBatchCodec codec = new SampleBatchCodec();

  private static SampleBatch batch(int n) {
    Gpu a = new Gpu("GPU-5fd4f087-86f3-7a43-b711-4771313afc50", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "mtv5-dgx1-hgpu-031");
    Gpu mig = new Gpu("MIG-GPU-5fd4f087/1/0", -1, null, null, null);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(new Sample(i % 3 == 0 ? mig : a, "DCGM_FI_DEV_GPU_UTIL" + (i % 4), 1_752_871_354_000_000L + i,
          i * 0.5, i % 2 == 0 ? "trainer" : null, i % 2 == 0 ? "pod-ü-" + i : null, "ml"));
    }
    return new SampleBatch("edge-0", 42, 1_752_871_354_123_456L, samples);
  }

  @Test
  void wireRoundTripKeepsEveryField() {
    SampleBatch original = batch(500);
    Buffer buffer = Buffer.buffer();
    buffer.appendString("prefix");
    codec.encodeToWire(buffer, original);
    SampleBatch decoded = codec.decodeFromWire("prefix".length(), buffer);
    assertEquals(original, decoded);
  }

  @Test
  void labelsAndGpuAttributesRoundTrip() {
    Gpu parent = new Gpu("GPU-5fd4f087-86f3-7a43-b711-4771313afc50", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "node-a",
        "00000000:18:00.0", "535.129.03", null, null);
    Gpu mig = new Gpu("MIG-GPU-5fd4f087-86f3-7a43-b711-4771313afc50/3", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "node-a",
        "00000000:18:00.0", "535.129.03", parent.uuid(), "3g.40gb");
    SampleBatch original = new SampleBatch("edge-0", 7, 1L, List.of(
        new Sample(parent, "DCGM_FI_DEV_XID_ERRORS", 10, 13, null, null, null, Labels.of("err_code", "13", "err_msg", "a \"b\"")),
        new Sample(parent, "DCGM_FI_DEV_XID_ERRORS", 10, 31, null, null, null, Labels.of("err_code", "31")),
        new Sample(mig, "DCGM_FI_DEV_GPU_UTIL", 10, 50, "c", "p", "n")));
    SampleBatch decoded = SampleBatchCodec.fromBytes(Buffer.buffer(SampleBatchCodec.toBytes(original)));
    assertEquals(original, decoded);
    assertEquals("31", decoded.samples().get(1).labels().get("err_code"));
    assertEquals("3g.40gb", decoded.samples().get(2).gpu().migProfile());
  }

  @Test
  void versionOneBatchesAreStillRead() {
    // a spool record written by the version-1 encoder: header, strings ["p", "GPU-1", "M"], one GPU, one sample
    io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
    out.writeByte(1);
    writeString(out, "p");
    out.writeLong(5);
    out.writeLong(6);
    out.writeInt(2);
    writeString(out, "GPU-1");
    writeString(out, "M");
    out.writeInt(1);
    out.writeInt(0).writeInt(3).writeInt(-1).writeInt(-1).writeInt(-1);
    out.writeInt(1);
    out.writeInt(0).writeInt(1).writeLong(99).writeDouble(1.5).writeInt(-1).writeInt(-1).writeInt(-1);
    SampleBatch decoded = SampleBatchCodec.decode(out);
    assertEquals(new SampleBatch("p", 5, 6, List.of(new Sample(new Gpu("GPU-1", 3, null, null, null), "M", 99, 1.5,
        null, null, null))), decoded);
  }

  private static void writeString(io.netty.buffer.ByteBuf out, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length).writeBytes(b);
  }

  @Test
  void emptyBatchRoundTrips() {
    SampleBatch original = new SampleBatch("p", 1, 2, List.of());
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, original);
    assertEquals(original, codec.decodeFromWire(0, buffer));
  }

  @Test
  void localDeliveryPassesTheSameInstance() {
    SampleBatch original = batch(3);
    assertSame(original, codec.transform(original));
  }

  @Test
  void wireFormIsMuchSmallerThanJson() {
    SampleBatch original = batch(500);
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, original);
    JsonArray json = new JsonArray();
    original.samples().forEach(s -> json.add(new JsonObject().put("uuid", s.gpu().uuid()).put("metric", s.metric())
        .put("ts", s.timestampMicros()).put("value", s.value()).put("hostname", s.gpu().hostname())
        .put("pod", s.pod()).put("namespace", s.namespace()).put("container", s.container())));
    int jsonSize = json.encode().length();
    assertTrue(buffer.length() * 2 < jsonSize, "binary " + buffer.length() + " vs json " + jsonSize);
  }

  @Test
  void unknownVersionIsRejected() {
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, batch(1));
    buffer.setByte(4, (byte) 99);
    assertThrows(IllegalArgumentException.class, () -> codec.decodeFromWire(0, buffer));
  }
}
