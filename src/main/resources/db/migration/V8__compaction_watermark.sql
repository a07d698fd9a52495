-- V8: the compaction watermark, one row: no chunk ends after closed_end. The compactor raises it
-- (GREATEST, in the transaction that writes chunks up to a range end) before its chunks become
-- visible, so a raw row at or after it is newer than every chunk of its series: latestOf then
-- skips the chunk probe for every series with such a row (the common case, an active GPU), and
-- probes chunks only for series without one (stopped, or with late rows in a compacted range).
-- A database compacted before V8 starts at its newest chunk's end; without chunks the row is
-- written by the first pass, and until then every series probes its chunks as before.
CREATE TABLE compaction_watermark (
  only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
  closed_end  timestamptz NOT NULL
);

INSERT INTO compaction_watermark (closed_end)
  SELECT max(chunk_end) FROM sample_chunks HAVING max(chunk_end) IS NOT NULL;
