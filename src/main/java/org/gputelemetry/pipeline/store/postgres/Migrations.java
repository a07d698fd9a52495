package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema to the version this code needs, by applying the SQL scripts under
 * {@code db/migration/} in version order. Each script runs in its own transaction together with
 * the row that records it in {@code schema_migrations}, so a script is applied entirely or not
 * at all. Every transaction first takes a transaction-scoped advisory lock: when several
 * processes start at once, one applies a script while the others wait, then find it recorded
 * and skip it. Running again on an up-to-date schema changes nothing.
 *
 * <p>Scripts are never edited once released; a change is a new script with the next version.
 */
final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** Advisory lock key serialising schema changes of every pipeline process on this database. */
  static final long LOCK_KEY = 0x6770_7574_6d69_6701L;

  /** One versioned script. */
  record Migration(int version, String description, String resource) {
  }

  /** Every script, oldest first. Append only. */
  static final List<Migration> ALL = List.of(
      new Migration(1, "catalogue", "db/migration/V1__catalogue.sql"),
      new Migration(2, "samples", "db/migration/V2__samples.sql"),
      new Migration(3, "dead letters", "db/migration/V3__dead_letters.sql"),
      new Migration(5, "sample chunks", "db/migration/V5__sample_chunks.sql"),
      new Migration(6, "labels and gpu attributes", "db/migration/V6__labels_and_gpu_attributes.sql"),
      new Migration(7, "chunk sub-aggregates", "db/migration/V7__chunk_sub_aggregates.sql"),
      new Migration(8, "compaction watermark", "db/migration/V8__compaction_watermark.sql"));

  private static final String CREATE_LEDGER = "CREATE TABLE IF NOT EXISTS schema_migrations ("
      + "version integer PRIMARY KEY, description text NOT NULL, "
      + "applied_at timestamptz NOT NULL DEFAULT now())";

  private Migrations() {
  }

  /** Applies what is missing; completes with the schema version now in place. */
  static Future<Integer> run(Pool pool) {
    Future<Void> chain = pool.withTransaction(conn -> lock(conn)
            .compose(v -> conn.query(PartitionMaintainer.QUIET).execute())
            .compose(v -> conn.query(CREATE_LEDGER).execute()))
        .mapEmpty();
    for (Migration m : ALL) {
      chain = chain.compose(v -> apply(pool, m));
    }
    return chain.map(v -> ALL.get(ALL.size() - 1).version());
  }

  private static Future<Void> apply(Pool pool, Migration m) {
    return pool.withTransaction(conn -> lock(conn)
        .compose(v -> conn.preparedQuery("SELECT 1 FROM schema_migrations WHERE version = $1")
            .execute(Tuple.of(m.version())))
        .compose(rows -> {
          if (rows.size() > 0) {
            return Future.succeededFuture(false);
          }
          return conn.query(load(m.resource())).execute()
              .compose(r -> conn.preparedQuery("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)")
                  .execute(Tuple.of(m.version(), m.description())))
              .map(true);
        }))
        .onSuccess(applied -> {
          if (applied) {
            LOG.info("Applied schema migration V{} ({})", m.version(), m.description());
          }
        })
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "schema migration V" + m.version() + " (" + m.description() + ") failed: " + e.getMessage(), e)))
        .mapEmpty();
  }

  private static Future<Row> lock(io.vertx.sqlclient.SqlConnection conn) {
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY))
        .map(rows -> rows.iterator().next());
  }

  static String load(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration script missing from the classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
