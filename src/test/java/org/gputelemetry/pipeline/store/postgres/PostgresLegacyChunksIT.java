package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.Aggregation;
import org.gputelemetry.pipeline.store.Bucket;
import org.gputelemetry.pipeline.store.BucketQuery;
import org.gputelemetry.pipeline.store.SampleQuery;
import org.gputelemetry.pipeline.store.chunk.ChunkCodec;
import org.gputelemetry.pipeline.store.chunk.DeflateFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database compacted by a release before the Gorilla codec holds deflate chunks: they are read
 * next to new chunks by every query, and a late sample merged into one rewrites it in the new format.
 */
class PostgresLegacyChunksIT {

  private static final Gpu GPU = new Gpu("GPU-legacy", 0, "nvidia0", "NVIDIA H100 80GB HBM3", "host-a");
  private static final long T0 = Timestamps.parseMicros("2025-07-18T20:00:00Z");
  private static final long HOUR = 3_600_000_000L;
  private static final String FORMATS = "SELECT extract(hour FROM chunk_start)::int || ':' || to_hex(get_byte(data, 0))"
      + " FROM sample_chunks ORDER BY chunk_start, metric_id";
  private static Vertx vertx;
  private StoreFixture db;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void open() {
    db = new StoreFixture(vertx, "legacy_chunks");
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** Power with 3 decimals and an integer temperature, every 10 s for three hours. */
  private static List<Sample> written() {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < 1080; i++) {
      out.add(new Sample(GPU, "power", T0 + i * 10_000_000L, 250 + (i * 7919 % 100_000) / 1000.0, null, null, null));
      out.add(new Sample(GPU, "temp", T0 + i * 10_000_000L, 40 + i % 7, null, null, null));
    }
    return out;
  }

  /** Rewrites the chunks starting at {@code hour} (after T0) exactly as the deflate release stored them. */
  private void rewriteAsPreviousRelease(int hour) throws SQLException {
    try (Connection c = db.server.connect(db.database);
         PreparedStatement read = c.prepareStatement("SELECT metric_id, data FROM sample_chunks WHERE chunk_start ="
             + " to_timestamp(?)");
         PreparedStatement write = c.prepareStatement("UPDATE sample_chunks SET data = ? WHERE metric_id = ? AND"
             + " chunk_start = to_timestamp(?)")) {
      long epochSeconds = (T0 + hour * HOUR) / 1_000_000L;
      read.setLong(1, epochSeconds);
      try (ResultSet r = read.executeQuery()) {
        while (r.next()) {
          ChunkCodec.Points p = ChunkCodec.decode(r.getBytes(2));
          write.setBytes(1, DeflateFormat.encode(p.ts(), p.values(), p.size()));
          write.setShort(2, r.getShort(1));
          write.setLong(3, epochSeconds);
          write.executeUpdate();
        }
      }
    }
  }

  private static List<Sample> all(PostgresTelemetryStore store, String metric) {
    return await(store.samples(new SampleQuery(GPU.uuid(), Long.MIN_VALUE, Long.MAX_VALUE, metric, 10_000, null)))
        .samples();
  }

  private static List<Double> hourly(PostgresTelemetryStore store, String metric, Aggregation agg) {
    return await(store.buckets(new BucketQuery(GPU.uuid(), T0, T0 + 3 * HOUR - 1, metric, HOUR, agg))).stream()
        .map(Bucket::value).toList();
  }

  @Test
  void deflateChunksOfThePreviousReleaseAnswerQueriesNextToNewChunks() throws SQLException {
    PostgresTelemetryStore store = db.started(PostgresCompactedStoreIT.COMPACT_AT_ONCE);
    List<Sample> written = written();
    await(store.write(written));
    assertEquals(2160, await(store.compact()).samples());
    List<Double> sums = hourly(store, "power", Aggregation.SUM);
    List<Double> maxima = hourly(store, "temp", Aggregation.MAX);
    rewriteAsPreviousRelease(0);
    rewriteAsPreviousRelease(2); // the newest hour too: latest() reads it
    assertEquals(List.of("20:78", "20:78", "21:c2", "21:c2", "22:78", "22:78"), db.strings(FORMATS));

    for (String metric : List.of("power", "temp")) {
      List<Sample> expected = written.stream().filter(s -> s.metric().equals(metric)).toList();
      assertEquals(expected, all(store, metric), metric + ": every sample, in order, with its exact value");
    }
    assertEquals(sums, hourly(store, "power", Aggregation.SUM));
    assertEquals(maxima, hourly(store, "temp", Aggregation.MAX));
    assertEquals(List.of(360.0, 360.0, 360.0), hourly(store, "temp", Aggregation.COUNT));
    List<Sample> latest = await(store.latest(GPU.uuid()));
    assertEquals(List.of(written.get(2158), written.get(2159)), latest);

    // a late sample into a deflate chunk: the merge decodes it and writes the new format
    Sample late = new Sample(GPU, "power", T0 + 5_000_000L, 612.125, null, null, null);
    await(store.write(List.of(late)));
    assertEquals(1, await(store.compact()).samples());
    assertEquals(List.of("20:c2", "20:78", "21:c2", "21:c2", "22:78", "22:78"), db.strings(FORMATS));
    List<Sample> power = all(store, "power");
    assertEquals(1081, power.size());
    assertEquals(late, power.get(1));
    assertEquals(written.get(0), power.get(0));
    assertEquals(written.get(2), power.get(2));
  }
}
