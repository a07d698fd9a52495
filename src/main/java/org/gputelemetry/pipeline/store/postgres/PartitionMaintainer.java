package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * Keeps the daily partitions of {@code samples} (one per UTC day, {@code samples_pYYYYMMDD}):
 * creates today's and the next {@link #DAYS_AHEAD} days' ahead of time, creates on demand the
 * days a batch needs (a replayed file may carry last year's timestamps), and applies retention by
 * dropping whole partitions whose every row is older than the retention period. Rows are never
 * deleted one by one, so retention costs no vacuum and no index churn.
 *
 * <p>DDL is serialised across every pipeline process by a transaction-scoped advisory lock and
 * bounded by {@code lock_timeout}, so it never queues for long behind a running query (a waiting
 * DDL would block every later writer and reader of the table). Thread-safe: the set of partitions
 * known to exist is concurrent, and a partition is only added to it after its creation committed.
 */
final class PartitionMaintainer {

  /** Advisory lock key serialising partition DDL of every pipeline process on this database. */
  static final long LOCK_KEY = 0x6770_7574_6d69_6702L;
  /** Days after today whose partitions exist before their first sample arrives. */
  static final int DAYS_AHEAD = 3;
  static final String PREFIX = "samples_p";
  /** The compacted chunks' partition of a day is named like the samples' one with this prefix. */
  static final String CHUNK_PREFIX = "sample_chunks_p";
  private static final long DAY_MICROS = 86_400_000_000L;
  private static final DateTimeFormatter NAME_DAY = DateTimeFormatter.ofPattern("uuuuMMdd");
  private static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'";
  /** No NOTICE for "already exists, skipping" when two processes create the same partition. */
  static final String QUIET = "SET LOCAL client_min_messages = warning";

  /** What one maintenance pass did. */
  record Outcome(List<String> created, List<String> dropped) {
  }

  private final Pool pool;
  private final Duration retention;
  private final Set<Long> known = ConcurrentHashMap.newKeySet();
  private final Set<Long> knownChunks = ConcurrentHashMap.newKeySet();

  /** @param retention how long rows are kept; zero keeps them forever */
  PartitionMaintainer(Pool pool, Duration retention) {
    this.pool = pool;
    this.retention = retention;
  }

  /** The years partitions can be named for ({@code samples_pYYYYMMDD}). */
  static final int FIRST_YEAR = 1;
  static final int LAST_YEAR = 9999;
  private static final long FIRST_DAY = LocalDate.of(FIRST_YEAR, 1, 1).toEpochDay();
  private static final long LAST_DAY = LocalDate.of(LAST_YEAR, 12, 31).toEpochDay();

  /** Whether a sample at {@code micros} has a day partition it can go to. */
  static boolean storable(long micros) {
    long d = day(micros);
    return d >= FIRST_DAY && d <= LAST_DAY;
  }

  static long day(long micros) {
    return Math.floorDiv(micros, DAY_MICROS);
  }

  static String name(long epochDay) {
    LocalDate d = LocalDate.ofEpochDay(epochDay);
    if (d.getYear() < FIRST_YEAR || d.getYear() > LAST_YEAR) {
      throw new IllegalArgumentException("timestamp outside the years " + FIRST_YEAR + " to " + LAST_YEAR + ": day " + d);
    }
    return PREFIX + NAME_DAY.format(d);
  }

  /** The {@code sample_chunks} partition of the day {@code epochDay}. */
  static String chunkName(long epochDay) {
    return CHUNK_PREFIX + name(epochDay).substring(PREFIX.length());
  }

  /** Makes sure the partitions of {@code days} (of samples and of sample_chunks) exist; a round trip only for days not seen before. */
  Future<Void> ensure(Collection<Long> days) {
    List<Long> missing = new ArrayList<>();
    for (Long d : days) {
      if (!known.contains(d)) {
        missing.add(d);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> lock(conn).compose(v -> create(conn, missing)))
        .onSuccess(v -> known.addAll(missing));
  }

  /**
   * Makes sure the chunk partitions of {@code days} exist, for the compactor: a schema migrated
   * from before V5 has samples partitions without their sample_chunks twin. Runs in the caller's
   * transaction {@code conn} (a second connection could deadlock a pool of one); the days count
   * as known once that transaction commits, which the caller reports through {@link #knowChunks}.
   */
  Future<Void> ensureChunks(SqlConnection conn, Collection<Long> days) {
    List<Long> missing = new ArrayList<>();
    for (Long d : days) {
      if (!knownChunks.contains(d)) {
        missing.add(d);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return lock(conn).compose(v -> create(conn, missing));
  }

  /** Records that the chunk partitions of {@code days} exist (their creation committed). */
  void knowChunks(Collection<Long> days) {
    knownChunks.addAll(days);
  }

  /** Forgets {@code days}, so the next write of them checks again (another process may have dropped them). */
  void forget(Collection<Long> days) {
    known.removeAll(days);
    knownChunks.removeAll(days);
  }

  /** Creates the partitions ahead of time and drops those past retention, as of {@code now}. */
  Future<Outcome> maintain(Instant now) {
    long today = day(Timestamps.toMicros(now));
    long cutoffMicros = retention.isZero() ? Long.MIN_VALUE : Timestamps.toMicros(now.minus(retention));
    return pool.withTransaction(conn -> lock(conn)
        .compose(v -> conn.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            + "WHERE i.inhparent = 'samples'::regclass").execute())
        .compose(rows -> {
          Set<Long> existing = new TreeSet<>();
          for (Row r : rows) {
            Long d = parse(r.getString(0));
            if (d != null) {
              existing.add(d);
            }
          }
          List<Long> toCreate = new ArrayList<>();
          for (long d = today; d <= today + DAYS_AHEAD; d++) {
            if (!existing.contains(d)) {
              toCreate.add(d);
            }
          }
          List<Long> toDrop = new ArrayList<>();
          for (long d : existing) {
            if ((d + 1) * DAY_MICROS <= cutoffMicros) {
              toDrop.add(d);
            }
          }
          return create(conn, toCreate).compose(v -> drop(conn, toDrop)).map(v -> {
            existing.addAll(toCreate);
            toDrop.forEach(existing::remove);
            return new Refresh(existing, new Outcome(names(toCreate), names(toDrop)));
          });
        }))
        .map(refresh -> {
          known.retainAll(refresh.existing());
          knownChunks.retainAll(refresh.existing());
          known.addAll(refresh.existing());
          return refresh.outcome();
        });
  }

  private record Refresh(Set<Long> existing, Outcome outcome) {
  }

  private static Future<Void> lock(SqlConnection conn) {
    return conn.query(LOCK_TIMEOUT).execute()
        .compose(v -> conn.query(QUIET).execute())
        .compose(v -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY)))
        .mapEmpty();
  }

  private static Future<Void> create(SqlConnection conn, List<Long> days) {
    Future<Void> chain = Future.succeededFuture();
    for (long d : days) {
      String range = " FOR VALUES FROM ('" + bound(d) + "') TO ('" + bound(d + 1) + "')";
      String sql = "CREATE TABLE IF NOT EXISTS " + name(d) + " PARTITION OF samples" + range;
      String chunks = "CREATE TABLE IF NOT EXISTS " + chunkName(d) + " PARTITION OF sample_chunks" + range;
      chain = chain.compose(v -> conn.query(sql).execute()).compose(v -> conn.query(chunks).execute().mapEmpty());
    }
    return chain;
  }

  private static Future<Void> drop(SqlConnection conn, List<Long> days) {
    Future<Void> chain = Future.succeededFuture();
    for (long d : days) {
      chain = chain.compose(v -> conn.query("DROP TABLE IF EXISTS " + name(d) + ", " + chunkName(d)).execute()
          .mapEmpty());
    }
    return chain;
  }

  /**
   * Midnight UTC of the day, as a timestamptz literal independent of the session's TimeZone; the
   * upper bound of the last day is in year 10000, which PostgreSQL reads without Java's '+'.
   */
  private static String bound(long epochDay) {
    LocalDate d = LocalDate.ofEpochDay(epochDay);
    return String.format("%04d-%02d-%02d 00:00:00+00", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
  }

  private static List<String> names(List<Long> days) {
    return days.stream().map(PartitionMaintainer::name).toList();
  }

  /** The day of a partition this class named, or {@code null} for any other table. */
  static Long parse(String relname) {
    if (!relname.startsWith(PREFIX) || relname.length() != PREFIX.length() + 8) {
      return null;
    }
    try {
      return LocalDate.parse(relname.substring(PREFIX.length()), NAME_DAY).toEpochDay();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
