/**
 * Reading DCGM exporter CSV dumps into {@link org.gputelemetry.pipeline.model.Sample}s.
 *
 * <p>{@link org.gputelemetry.pipeline.ingest.csv.DcgmCsvReader} streams rows one at a time;
 * rows it cannot use are skipped and counted by reason in a
 * {@link org.gputelemetry.pipeline.ingest.csv.RejectCounter}, never thrown. Only a file whose
 * header lacks a required column fails, with a
 * {@link org.gputelemetry.pipeline.ingest.csv.CsvFormatException}.
 */
package org.gputelemetry.pipeline.ingest.csv;
