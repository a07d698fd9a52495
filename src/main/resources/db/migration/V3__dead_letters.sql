-- V3: samples PostgreSQL refused for their content (a NUL byte in a name, a time outside the
-- partitioned years, ...), set aside by the collector so that the rest of their batch is stored.
-- Bounded: each insert deletes rows older than the newest 10,000 (PostgresDeadLetters.KEEP).
-- The sample is JSON in a text column: it must hold what was refused (jsonb refuses \u0000);
-- its time is kept as microseconds since the epoch, since it may be out of timestamptz's range.
CREATE TABLE dead_letters (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at  timestamptz NOT NULL,
  reason       text NOT NULL,
  sample       text NOT NULL
);
