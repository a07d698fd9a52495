package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * One {@code sample_chunks} row's content: a series' points of one aligned range encoded by
 * {@link ChunkCodec}, with the aggregates bucket queries use instead of decoding: the whole
 * range's, and per {@link #SLOT_MICROS} slot ({@code sub_aggs}, V7; {@code null} for a chunk of
 * fewer than {@link #MIN_FOR_SLOTS} samples). Built by the compactor (and
 * the query benchmark, which writes a week of chunks the same way). Immutable.
 */
record ChunkRow(long start, long lastTs, int count, double min, double max, double sum, double first, double last,
                byte[] data, byte[] subAggs) {

  /** The sub-aggregate slot: 5 minutes, a divisor of the range and of every step a dashboard uses. */
  static final long SLOT_MICROS = 300_000_000L;
  static final int SLOTS = (int) (Compactor.RANGE_MICROS / SLOT_MICROS);
  /**
   * Fewest samples a chunk keeps slots for: one every 3 s. Sparser chunks decode quickly and the
   * slots (up to 540 bytes) would weigh more than their points (at 10 s, 1.5 bytes a sample).
   */
  static final int MIN_FOR_SLOTS = 1200;

  /** Bulk insert of chunk rows: one statement, each column an array ({@link #arrays}). */
  static final String INSERT = "INSERT INTO sample_chunks (chunk_start, chunk_end, last_ts, min, max, sum, first,"
      + " last, gpu_id, labels_id, count, placement_id, metric_id, data, sub_aggs) SELECT * FROM unnest($1::timestamptz[],"
      + " $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],"
      + " $9::int4[], $10::int4[], $11::int4[], $12::int4[], $13::int2[], $14::bytea[], $15::bytea[])";

  /** A chunk row with its series key. */
  record Keyed(int gpuId, short metricId, int labelsId, Integer placementId, ChunkRow row) {
  }

  /** The first {@code n} points (timestamps ascending, all in the range starting at {@code start}). */
  static ChunkRow of(long start, long[] ts, double[] values, int n) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    ByteBuffer subs = ByteBuffer.allocate(SLOTS * SLOT_BYTES);
    int i = 0;
    while (i < n) { // one slot's points at a time: they are consecutive, the timestamps ascending
      int slot = (int) ((ts[i] - start) / SLOT_MICROS);
      long slotEnd = start + (slot + 1) * SLOT_MICROS;
      int from = i;
      double slotMin = Double.POSITIVE_INFINITY;
      double slotMax = Double.NEGATIVE_INFINITY;
      double slotSum = 0;
      for (; i < n && ts[i] < slotEnd; i++) {
        slotMin = Math.min(slotMin, values[i]);
        slotMax = Math.max(slotMax, values[i]);
        slotSum += values[i];
      }
      subs.put((byte) slot).putInt(i - from).putDouble(slotSum).putDouble(slotMin).putDouble(slotMax)
          .putDouble(values[i - 1]).putLong(ts[i - 1] - start);
      min = Math.min(min, slotMin);
      max = Math.max(max, slotMax);
      sum += slotSum;
    }
    return new ChunkRow(start, ts[n - 1], n, min, max, sum, values[0], values[n - 1], ChunkCodec.encode(ts, values, n),
        n < MIN_FOR_SLOTS ? null : Arrays.copyOf(subs.array(), subs.position()));
  }

  /**
   * Bytes of one non-empty slot in {@code sub_aggs}: slot index, count, sum, min, max, last value,
   * and its time (from the chunk's start): a bucket of one metric spans its label sets, whose
   * slots overlap in time, so "last" needs the real time.
   */
  static final int SLOT_BYTES = 1 + 4 + 4 * 8 + 8;

  /** One slot's aggregates, read from {@code sub_aggs}. */
  record Slot(long start, int count, double sum, double min, double max, double last, long lastTs) {
  }

  /** The non-empty slots of the chunk starting at {@code start}, in time order. */
  static List<Slot> slots(long start, byte[] subAggs) {
    ByteBuffer in = ByteBuffer.wrap(subAggs);
    List<Slot> out = new ArrayList<>(subAggs.length / SLOT_BYTES);
    while (in.remaining() >= SLOT_BYTES) {
      out.add(new Slot(start + in.get() * SLOT_MICROS, in.getInt(), in.getDouble(), in.getDouble(), in.getDouble(),
          in.getDouble(), start + in.getLong()));
    }
    return out;
  }

  /** The parameters of {@link #INSERT} for {@code rows}. */
  static Tuple arrays(List<Keyed> rows) {
    int n = rows.size();
    OffsetDateTime[] start = new OffsetDateTime[n];
    OffsetDateTime[] end = new OffsetDateTime[n];
    OffsetDateTime[] lastTs = new OffsetDateTime[n];
    Double[] min = new Double[n];
    Double[] max = new Double[n];
    Double[] sum = new Double[n];
    Double[] first = new Double[n];
    Double[] last = new Double[n];
    Integer[] gpu = new Integer[n];
    Integer[] labels = new Integer[n];
    Integer[] count = new Integer[n];
    Integer[] placement = new Integer[n];
    Short[] metric = new Short[n];
    Buffer[] data = new Buffer[n];
    Buffer[] subs = new Buffer[n];
    for (int i = 0; i < n; i++) {
      Keyed k = rows.get(i);
      ChunkRow r = k.row();
      start[i] = SampleRows.timestamp(r.start());
      end[i] = SampleRows.timestamp(r.start() + Compactor.RANGE_MICROS);
      lastTs[i] = SampleRows.timestamp(r.lastTs());
      min[i] = r.min();
      max[i] = r.max();
      sum[i] = r.sum();
      first[i] = r.first();
      last[i] = r.last();
      gpu[i] = k.gpuId();
      labels[i] = k.labelsId();
      count[i] = r.count();
      placement[i] = k.placementId();
      metric[i] = k.metricId();
      data[i] = Buffer.buffer(r.data());
      subs[i] = r.subAggs() == null ? null : Buffer.buffer(r.subAggs());
    }
    return Tuple.of(start, end, lastTs, min, max, sum, first, last, gpu, labels, count, placement, metric)
        .addValue(data).addValue(subs);
  }
}
