-- V7: per-5-minute aggregates in each chunk row, so that a bucket query whose step is a multiple
-- of 5 minutes (5m, 15m, 1h, 1d, ...) never decodes a chunk inside its window: each 5-minute slot
-- of the chunk's hour lies wholly inside one such bucket (bucket starts are multiples of the step
-- since the epoch, hence of 5 minutes). Encoded by ChunkRow: per non-empty slot its index, sample
-- count, sum, min, max, last value and that value's time (45 bytes; 12 slots, 540 bytes a chunk).
--
-- Nullable and without a default: adding it rewrites no row. Chunks written before V7 read as
-- NULL and are decoded as before until the compactor next rewrites them (a late sample) or
-- retention drops their partition.
ALTER TABLE sample_chunks ADD COLUMN sub_aggs bytea;
