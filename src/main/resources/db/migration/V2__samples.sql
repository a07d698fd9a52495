-- V2: the samples table, one row per (gpu, metric, timestamp), range-partitioned by day on ts.
--
-- Row layout: the 8-byte columns first, then the 4- and 2-byte ones, so no alignment padding:
-- 22 bytes of data + 24 bytes of header per row (placement NULL costs only its null-bitmap bit).
-- No foreign keys: each would cost an index probe per inserted row; the writer resolves ids
-- from the catalogue before inserting.
--
-- The primary key is the idempotency key (a second write of the same gpu, metric and ts hits
-- it and updates the value) and, in the order (gpu_id, ts, metric_id), the index the API's
-- sample query needs: one GPU, a time window, in time order. It must contain ts, the partition
-- key. New rows of one GPU land at the right edge of that GPU's key range, so inserts touch a
-- few hot index pages per GPU.
--
-- Partitions (samples_pYYYYMMDD, UTC days) are created by the application: ahead of time by
-- the maintainer and on demand for days a batch needs. There is no DEFAULT partition: it would
-- have to be scanned whenever a new partition is created, and would hide rows from retention.
-- Retention drops whole partitions (DROP TABLE), never DELETEs rows.
CREATE TABLE samples (
  ts            timestamptz      NOT NULL,
  value         double precision NOT NULL,
  gpu_id        integer          NOT NULL,
  placement_id  integer,
  metric_id     smallint         NOT NULL,
  CONSTRAINT samples_pkey PRIMARY KEY (gpu_id, ts, metric_id)
) PARTITION BY RANGE (ts);
