package org.gputelemetry.pipeline.ops;

/** Prometheus metric names, in one place (Micrometer adds {@code _total} to counters on export). */
public final class MetricNames {

  public static final String ROWS_STREAMED = "telemetry.rows.streamed";
  public static final String ROWS_REJECTED = "telemetry.rows.rejected";
  public static final String BATCHES_SENT = "telemetry.batches.sent";
  public static final String BATCHES_RETRIED = "telemetry.batches.retried";
  public static final String TRANSPORT_QUEUE_DEPTH = "telemetry.transport.queue.depth";
  public static final String SAMPLES_PERSISTED = "telemetry.samples.persisted";
  public static final String STORE_WRITE = "telemetry.store.write";
  public static final String STORE_WRITE_FAILURES = "telemetry.store.write.failures";
  public static final String END_TO_END_LAG = "telemetry.end.to.end.lag";
  public static final String BATCHES_REFUSED = "telemetry.batches.refused";
  public static final String QUEUE_CONNECTION_STATUS = "message.queue.connection.status";

  private MetricNames() {
  }
}
