package org.gputelemetry.pipeline.gateway;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.gputelemetry.pipeline.ingest.BatchSender;
import org.gputelemetry.pipeline.ingest.csv.RejectCounter;
import org.gputelemetry.pipeline.ingest.csv.RejectReason;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * One CSV upload and where it stands: received to a file of its own (named by its id, never by the
 * client's file name), then queued, ingested ({@code running}) and {@code done} or {@code failed}.
 * Its JSON ({@link #toJson()}) is what {@code GET /api/v1/csv/uploads/{id}} answers. Thread-safe:
 * the state is written by the event loop (receiving) and the ingest thread, read by any.
 */
final class CsvUpload {

  /** Where an upload stands. {@code RECEIVING} is internal: the client has no id yet. */
  enum Status {
    RECEIVING, QUEUED, RUNNING, DONE, FAILED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean finished() {
      return this == DONE || this == FAILED;
    }
  }

  private final String id;
  private final Path file;
  private final TimestampMode timestampMode;
  private final long createdMicros = Timestamps.nowMicros();
  private final RejectCounter rejects = new RejectCounter();
  private volatile Status status = Status.RECEIVING;
  private volatile String filename;
  private volatile long bytes;
  private volatile long rowsRead;
  private volatile BatchSender sender;
  private volatile long acceptedAtEnd = -1;
  private volatile String error;
  private volatile long startedMicros;
  private volatile long finishedMicros;

  CsvUpload(String id, Path file, TimestampMode timestampMode) {
    this.id = id;
    this.file = file;
    this.timestampMode = timestampMode;
  }

  String id() {
    return id;
  }

  Path file() {
    return file;
  }

  TimestampMode timestampMode() {
    return timestampMode;
  }

  Status status() {
    return status;
  }

  RejectCounter rejects() {
    return rejects;
  }

  /** The client's name for the file (multipart), for display only; clipped. */
  void filename(String name) {
    this.filename = name == null ? null : ApiException.clip(name);
  }

  void bytes(long received) {
    this.bytes = received;
  }

  void rowRead() {
    rowsRead++; // one writer: the ingest thread
  }

  void queued() {
    status = Status.QUEUED;
  }

  void running(BatchSender sender) {
    this.sender = sender;
    startedMicros = Timestamps.nowMicros();
    status = Status.RUNNING;
  }

  void done() {
    finish(Status.DONE, null);
  }

  void failed(String why) {
    finish(Status.FAILED, why);
  }

  private void finish(Status end, String why) {
    BatchSender s = sender;
    acceptedAtEnd = s == null ? 0 : s.ackedRows();
    error = why;
    finishedMicros = Timestamps.nowMicros();
    status = end;
  }

  /** Rows the transport acknowledged (committed by a collector, or durably queued in Redis). */
  long rowsAccepted() {
    if (acceptedAtEnd >= 0) {
      return acceptedAtEnd;
    }
    BatchSender s = sender;
    return s == null ? 0 : s.ackedRows();
  }

  JsonObject toJson() {
    JsonObject byReason = new JsonObject();
    for (Map.Entry<RejectReason, Long> e : rejects.snapshot().entrySet()) {
      if (e.getValue() > 0) {
        byReason.put(e.getKey().label(), e.getValue());
      }
    }
    return new JsonObject()
        .put("id", id)
        .put("status", status.label())
        .put("timestamp_mode", timestampMode.configName())
        .put("filename", filename)
        .put("bytes", bytes)
        .put("rows_read", rowsRead)
        .put("rows_accepted", rowsAccepted())
        .put("rows_rejected", rejects.total())
        .put("rejected_by_reason", byReason)
        .put("error", error)
        .put("created_at", Timestamps.format(createdMicros))
        .put("started_at", startedMicros == 0 ? null : Timestamps.format(startedMicros))
        .put("finished_at", finishedMicros == 0 ? null : Timestamps.format(finishedMicros));
  }
}
