package org.gputelemetry.pipeline.ops;

/**
 * Metric names, in one place. These are Micrometer's dotted names; the Prometheus exposition turns
 * dots into underscores, adds the base unit to timers ({@code _seconds}) and {@code _total} to
 * counters: {@code telemetry.rows.streamed} is scraped as {@code telemetry_rows_streamed_total}.
 */
public final class MetricNames {

  public static final String ROWS_STREAMED = "telemetry.rows.streamed";
  public static final String ROWS_REJECTED = "telemetry.rows.rejected";
  public static final String SOURCE_TICKS_SKIPPED = "telemetry.source.ticks.skipped";
  public static final String SCRAPE_TARGET_UP = "telemetry.scrape.target.up";
  public static final String SCRAPE_DURATION = "telemetry.scrape.duration";
  public static final String SCRAPE_SAMPLES = "telemetry.scrape.samples";
  public static final String SCRAPE_ERRORS = "telemetry.scrape.errors";
  public static final String SCRAPE_REJECTS = "telemetry.scrape.rejects";
  public static final String BATCHES_SENT = "telemetry.batches.sent";
  public static final String BATCHES_RETRIED = "telemetry.batches.retried";
  public static final String TRANSPORT_QUEUE_DEPTH = "telemetry.transport.queue.depth";
  public static final String SAMPLES_PERSISTED = "telemetry.samples.persisted";
  public static final String STORE_WRITE = "telemetry.store.write";
  public static final String STORE_WRITE_FAILURES = "telemetry.store.write.failures";
  public static final String STORE_DEAD_LETTERS = "telemetry.store.dead.letters";
  public static final String STORE_MEMORY_BYTES = "telemetry.store.memory.bytes";
  public static final String STORE_SAMPLES = "telemetry.store.samples";
  public static final String STORE_EVICTED_SAMPLES = "telemetry.store.evicted.samples";
  public static final String END_TO_END_LAG = "telemetry.end.to.end.lag";
  public static final String BATCHES_REFUSED = "telemetry.batches.refused";
  public static final String QUEUE_CONNECTION_STATUS = "message.queue.connection.status";
  /** A gauge with base unit seconds: scraped as {@code cross_cluster_latency_seconds}. */
  public static final String CROSS_CLUSTER_LATENCY = "cross.cluster.latency";
  public static final String CHECKPOINT_DURATION = "telemetry.checkpoint.duration";
  public static final String CHECKPOINT_FAILURES = "telemetry.checkpoint.failures";
  public static final String CHECKPOINT_BYTES = "telemetry.checkpoint.bytes";
  public static final String CHECKPOINT_SAMPLES = "telemetry.checkpoint.samples";
  public static final String CHECKPOINT_LAST_SUCCESS = "telemetry.checkpoint.last.success.timestamp";
  public static final String WEBSOCKET_CLIENTS = "telemetry.websocket.clients";
  public static final String WEBSOCKET_SENT = "telemetry.websocket.sent";
  public static final String WEBSOCKET_DROPPED = "telemetry.websocket.dropped";
  public static final String WEBSOCKET_CLOSED = "telemetry.websocket.closed";
  public static final String GATEWAY_CONNECTIONS_REFUSED = "telemetry.gateway.connections.refused";
  public static final String GATEWAY_HEADER_TIMEOUTS = "telemetry.gateway.header.timeouts";

  public static final String SPOOL_BYTES = "telemetry.spool.bytes";
  public static final String GPUS_STALE = "telemetry.gpus.stale";
  public static final String SPOOL_BATCHES = "telemetry.spool.batches";
  public static final String SPOOL_APPENDED = "telemetry.spool.appended";
  public static final String SPOOL_REPLAYED = "telemetry.spool.replayed";
  public static final String REDIS_BACKLOG = "telemetry.redis.backlog";
  public static final String REDIS_CLAIMED = "telemetry.redis.claimed";
  public static final String REDIS_DEAD_LETTERS = "telemetry.redis.dead.letters";

  private MetricNames() {
  }
}
