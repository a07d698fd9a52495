package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;

/**
 * One {@code sample_chunks} row's content: a series' points of one aligned range encoded by
 * {@link ChunkCodec}, with the aggregates bucket queries use instead of decoding. Built by the
 * compactor (and the query benchmark, which writes a week of chunks the same way). Immutable.
 */
record ChunkRow(long start, long lastTs, int count, double min, double max, double sum, double first, double last,
                byte[] data) {

  /** Bulk insert of chunk rows: one statement, each column an array ({@link #arrays}). */
  static final String INSERT = "INSERT INTO sample_chunks (chunk_start, chunk_end, last_ts, min, max, sum, first,"
      + " last, gpu_id, labels_id, count, placement_id, metric_id, data) SELECT * FROM unnest($1::timestamptz[],"
      + " $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],"
      + " $9::int4[], $10::int4[], $11::int4[], $12::int4[], $13::int2[], $14::bytea[])";

  /** A chunk row with its series key. */
  record Keyed(int gpuId, short metricId, int labelsId, Integer placementId, ChunkRow row) {
  }

  /** The first {@code n} points (timestamps ascending, all in the range starting at {@code start}). */
  static ChunkRow of(long start, long[] ts, double[] values, int n) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
      sum += values[i];
    }
    return new ChunkRow(start, ts[n - 1], n, min, max, sum, values[0], values[n - 1], ChunkCodec.encode(ts, values, n));
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
    }
    return Tuple.of(start, end, lastTs, min, max, sum, first, last, gpu, labels, count, placement, metric)
        .addValue(data);
  }
}
