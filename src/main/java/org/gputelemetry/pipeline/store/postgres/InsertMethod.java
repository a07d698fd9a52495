package org.gputelemetry.pipeline.store.postgres;

/**
 * The ways the Vert.x client can send a batch of rows to PostgreSQL (it has no COPY). Every one
 * is an idempotent upsert in the batch's transaction; they differ only in how rows travel.
 * {@link #UNNEST} is the store's write path, being the fastest measured (see {@code docs/postgres.md});
 * the others remain selectable so that the benchmark can measure them through the same code.
 */
public enum InsertMethod {

  /** One statement, one parameter per column: {@code INSERT ... SELECT * FROM unnest($1::timestamptz[], ...)}. */
  UNNEST,

  /** {@code INSERT ... VALUES ($1, ...), ($6, ...), ...}: five parameters per row, up to 10,000 rows per statement. */
  MULTI_ROW_VALUES,

  /** One prepared single-row {@code INSERT} executed for every row in one pipelined round trip ({@code executeBatch}). */
  BATCHED_PREPARED
}
