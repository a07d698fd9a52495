-- V5: compacted samples. The compactor (Compactor) moves closed ranges of raw rows (one series,
-- one aligned hour) into one chunk row each: the samples' timestamps and values encoded in `data`,
-- plus the aggregates a bucket query can use without decoding when a bucket covers whole chunks.
--
-- last_ts is the newest sample's timestamp (with `last`, a latest query needs no decoding).
-- chunk_start is the aligned start of the range (the key), chunk_end its exclusive end; a chunk
-- holds only samples with chunk_start <= ts < chunk_end. labels_id lines up with the samples'
-- labels_id (V6, with the label_sets dictionary); 0 is the empty label set. placement_id is the
-- one placement every sample of the chunk had (ranges with several placements stay raw).
--
-- Range-partitioned by day on chunk_start like samples (sample_chunks_pYYYYMMDD), created and
-- dropped by the partition maintainer together with the samples' partitions.
CREATE TABLE sample_chunks (
  chunk_start   timestamptz      NOT NULL,
  chunk_end     timestamptz      NOT NULL,
  last_ts       timestamptz      NOT NULL,
  min           double precision NOT NULL,
  max           double precision NOT NULL,
  sum           double precision NOT NULL,
  first         double precision NOT NULL,
  last          double precision NOT NULL,
  gpu_id        integer          NOT NULL,
  labels_id     integer          NOT NULL DEFAULT 0,
  count         integer          NOT NULL,
  placement_id  integer,
  metric_id     smallint         NOT NULL,
  data          bytea            NOT NULL,
  CONSTRAINT sample_chunks_pkey PRIMARY KEY (gpu_id, metric_id, labels_id, chunk_start)
) PARTITION BY RANGE (chunk_start);
