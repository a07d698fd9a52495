package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.DeadLetter;

/**
 * The {@code dead_letters} table: samples PostgreSQL refused for their content, with the reason
 * and the time they were set aside, bounded to the newest {@link #KEEP} rows (each insert deletes
 * what falls off the end, so a stream of poison rows cannot grow it). A sample is kept as JSON
 * text, not in typed columns: what PostgreSQL refused (a NUL byte, a time out of range) must still
 * fit, and JSON escapes NUL as {@code \u0000} ({@code text}, not {@code jsonb}, which refuses that
 * escape). Thread-safe.
 */
final class PostgresDeadLetters {

  /** Rows kept; older ones are deleted as new ones arrive. */
  static final int KEEP = 10_000;

  private static final String INSERT = "WITH added AS (INSERT INTO dead_letters (received_at, reason, sample)"
      + " SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[]) RETURNING id)"
      + " DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM added) - $4";
  private static final String NEWEST = "SELECT received_at, reason, sample FROM dead_letters ORDER BY id DESC LIMIT $1";

  private final Pool pool;

  PostgresDeadLetters(Pool pool) {
    this.pool = pool;
  }

  Future<Void> add(List<DeadLetter> letters) {
    if (letters.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = letters.size();
    OffsetDateTime[] at = new OffsetDateTime[n];
    String[] reasons = new String[n];
    String[] samples = new String[n];
    for (int i = 0; i < n; i++) {
      DeadLetter d = letters.get(i);
      at[i] = SampleRows.timestamp(d.receivedMicros());
      reasons[i] = d.reason().replace("\u0000", "\\u0000");
      samples[i] = json(d.sample()).encode();
    }
    return pool.preparedQuery(INSERT).execute(Tuple.of(at, reasons, samples, (long) KEEP)).mapEmpty();
  }

  Future<List<DeadLetter>> newest(int limit) {
    return pool.preparedQuery(NEWEST).execute(Tuple.of(limit)).map(rows -> {
      List<DeadLetter> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new DeadLetter(Timestamps.toMicros(r.getOffsetDateTime(0).toInstant()), r.getString(1),
            sample(new JsonObject(r.getString(2)))));
      }
      return out;
    });
  }

  static JsonObject json(Sample s) {
    Gpu g = s.gpu();
    return new JsonObject()
        .put("uuid", g.uuid()).put("gpu_index", g.gpuIndex()).put("device", g.device())
        .put("model_name", g.modelName()).put("hostname", g.hostname())
        .put("metric", s.metric()).put("timestamp_micros", s.timestampMicros())
        // JSON has no NaN or infinity; such a value is kept as its Java text
        .put("value", Double.isFinite(s.value()) ? (Object) s.value() : Double.toString(s.value()))
        .put("container", s.container()).put("pod", s.pod()).put("namespace", s.namespace());
  }

  static Sample sample(JsonObject j) {
    Object v = j.getValue("value");
    double value = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    Gpu gpu = new Gpu(j.getString("uuid"), j.getInteger("gpu_index", -1), j.getString("device"),
        j.getString("model_name"), j.getString("hostname"));
    return new Sample(gpu, j.getString("metric"), j.getLong("timestamp_micros"), value, j.getString("container"),
        j.getString("pod"), j.getString("namespace"));
  }
}
