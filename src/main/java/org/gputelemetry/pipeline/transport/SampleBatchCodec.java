package org.gputelemetry.pipeline.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;

/**
 * Event-bus codec for {@link SampleBatch}. Locally the batch is passed by reference
 * ({@link #transform} returns the same instance, which is safe because batches are immutable).
 * On the wire a batch is length-prefixed binary: a header, then a table of the distinct strings
 * (UUIDs, hostnames, metric names, ...) and GPUs, then fixed-width rows that refer to them by
 * index. DCGM batches repeat the same few strings in every row, so this is several times smaller
 * and faster than JSON. Strings are UTF-8. Stateless and thread-safe.
 *
 * <p>Version 2 added the GPU's PCI bus, driver and MIG attributes and each sample's labels;
 * version 1 (spool files and Redis entries written before) is still read.
 */
public final class SampleBatchCodec implements MessageCodec<SampleBatch, SampleBatch> {

  public static final String NAME = "sample-batch";
  private static final byte VERSION = 2;
  private static final byte VERSION_1 = 1;
  private static final int NONE = -1;

  @Override
  public void encodeToWire(Buffer buffer, SampleBatch batch) {
    // a Buffer's ByteBuf view cannot grow, so encode into a scratch buffer sized for the usual row
    ByteBuf out = Unpooled.buffer(256 + batch.size() * 40);
    encode(out, batch);
    buffer.appendInt(out.readableBytes());
    buffer.appendBuffer(BufferInternal.buffer(out));
  }

  /** Writes {@code batch} (without the length prefix) to {@code out}. */
  public static void encode(ByteBuf out, SampleBatch batch) {
    Map<String, Integer> strings = new HashMap<>();
    List<String> stringTable = new ArrayList<>();
    Map<Gpu, Integer> gpus = new HashMap<>();
    List<Gpu> gpuTable = new ArrayList<>();
    for (Sample s : batch.samples()) {
      if (!gpus.containsKey(s.gpu())) {
        gpus.put(s.gpu(), gpuTable.size());
        gpuTable.add(s.gpu());
        intern(strings, stringTable, s.gpu().uuid());
        intern(strings, stringTable, s.gpu().device());
        intern(strings, stringTable, s.gpu().modelName());
        intern(strings, stringTable, s.gpu().hostname());
        intern(strings, stringTable, s.gpu().pciBusId());
        intern(strings, stringTable, s.gpu().driverVersion());
        intern(strings, stringTable, s.gpu().parentUuid());
        intern(strings, stringTable, s.gpu().migProfile());
      }
      Labels labels = s.labels();
      for (int i = 0; i < labels.size(); i++) {
        intern(strings, stringTable, labels.name(i));
        intern(strings, stringTable, labels.value(i));
      }
      intern(strings, stringTable, s.metric());
      intern(strings, stringTable, s.container());
      intern(strings, stringTable, s.pod());
      intern(strings, stringTable, s.namespace());
    }
    out.writeByte(VERSION);
    writeString(out, batch.producerId());
    out.writeLong(batch.sequence());
    out.writeLong(batch.createdMicros());
    out.writeInt(stringTable.size());
    for (String s : stringTable) {
      writeString(out, s);
    }
    out.writeInt(gpuTable.size());
    for (Gpu g : gpuTable) {
      out.writeInt(strings.get(g.uuid()));
      out.writeInt(g.gpuIndex());
      out.writeInt(ref(strings, g.device()));
      out.writeInt(ref(strings, g.modelName()));
      out.writeInt(ref(strings, g.hostname()));
      out.writeInt(ref(strings, g.pciBusId()));
      out.writeInt(ref(strings, g.driverVersion()));
      out.writeInt(ref(strings, g.parentUuid()));
      out.writeInt(ref(strings, g.migProfile()));
    }
    out.writeInt(batch.size());
    for (Sample s : batch.samples()) {
      out.writeInt(gpus.get(s.gpu()));
      out.writeInt(strings.get(s.metric()));
      out.writeLong(s.timestampMicros());
      out.writeDouble(s.value());
      out.writeInt(ref(strings, s.container()));
      out.writeInt(ref(strings, s.pod()));
      out.writeInt(ref(strings, s.namespace()));
      Labels labels = s.labels();
      out.writeShort(labels.size());
      for (int i = 0; i < labels.size(); i++) {
        out.writeInt(strings.get(labels.name(i)));
        out.writeInt(strings.get(labels.value(i)));
      }
    }
  }

  /** The wire form of {@code batch} as bytes (a Redis stream entry, a spool record). */
  public static byte[] toBytes(SampleBatch batch) {
    ByteBuf out = Unpooled.buffer(256 + batch.size() * 40);
    encode(out, batch);
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  /**
   * Reads what {@link #toBytes} wrote.
   *
   * @throws IllegalArgumentException if the bytes are not a batch of a known encoding version
   */
  public static SampleBatch fromBytes(Buffer bytes) {
    try {
      return decode(((BufferInternal) bytes).getByteBuf().duplicate());
    } catch (IndexOutOfBoundsException | NullPointerException e) {
      throw new IllegalArgumentException("truncated or corrupt sample batch: " + e.getMessage(), e);
    }
  }

  @Override
  public SampleBatch decodeFromWire(int pos, Buffer buffer) {
    ByteBuf in = ((BufferInternal) buffer).getByteBuf().duplicate();
    in.readerIndex(pos + 4);
    return decode(in);
  }

  /** Reads a batch written by {@link #encode}. */
  public static SampleBatch decode(ByteBuf in) {
    byte version = in.readByte();
    if (version != VERSION && version != VERSION_1) {
      throw new IllegalArgumentException("unknown sample batch encoding version " + version);
    }
    String producer = readString(in);
    long sequence = in.readLong();
    long created = in.readLong();
    String[] strings = new String[in.readInt()];
    for (int i = 0; i < strings.length; i++) {
      strings[i] = readString(in);
    }
    Gpu[] gpus = new Gpu[in.readInt()];
    for (int i = 0; i < gpus.length; i++) {
      String uuid = strings[in.readInt()];
      int index = in.readInt();
      String device = deref(strings, in.readInt());
      String model = deref(strings, in.readInt());
      String host = deref(strings, in.readInt());
      gpus[i] = version == VERSION_1 ? new Gpu(uuid, index, device, model, host)
          : new Gpu(uuid, index, device, model, host, deref(strings, in.readInt()), deref(strings, in.readInt()),
              deref(strings, in.readInt()), deref(strings, in.readInt()));
    }
    int n = in.readInt();
    List<Sample> samples = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Gpu gpu = gpus[in.readInt()];
      String metric = strings[in.readInt()];
      long ts = in.readLong();
      double value = in.readDouble();
      String container = deref(strings, in.readInt());
      String pod = deref(strings, in.readInt());
      String namespace = deref(strings, in.readInt());
      Labels labels = version == VERSION_1 ? Labels.EMPTY : readLabels(in, strings);
      samples.add(new Sample(gpu, metric, ts, value, container, pod, namespace, labels));
    }
    return new SampleBatch(producer, sequence, created, samples);
  }

  private static Labels readLabels(ByteBuf in, String[] strings) {
    int n = in.readShort();
    if (n == 0) {
      return Labels.EMPTY;
    }
    String[] pairs = new String[2 * n];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = strings[in.readInt()];
    }
    return Labels.of(pairs);
  }

  @Override
  public SampleBatch transform(SampleBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private static void intern(Map<String, Integer> strings, List<String> table, String s) {
    if (s != null && !strings.containsKey(s)) {
      strings.put(s, table.size());
      table.add(s);
    }
  }

  private static int ref(Map<String, Integer> strings, String s) {
    return s == null ? NONE : strings.get(s);
  }

  private static String deref(String[] strings, int i) {
    return i == NONE ? null : strings[i];
  }

  private static void writeString(ByteBuf out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  private static String readString(ByteBuf in) {
    int len = in.readInt();
    String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
    in.skipBytes(len);
    return s;
  }
}
