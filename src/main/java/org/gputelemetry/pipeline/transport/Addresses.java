package org.gputelemetry.pipeline.transport;

/** Event-bus addresses, in one place. */
public final class Addresses {

  /** Streamers send batches here; collectors are competing consumers (point-to-point). */
  public static final String BATCHES = "telemetry.batches";

  /** Collectors publish each batch here after the store committed it (live feed, local only). */
  public static final String COMMITTED = "telemetry.committed";

  /**
   * Collectors publish each committed batch here on the clustered event bus, for the live feeds of
   * gateways in other processes (clustered transport only).
   */
  public static final String COMMITTED_SHARED = "telemetry.committed.shared";

  /** Header of a {@link #COMMITTED_SHARED} message: the instance id of the process that committed it. */
  public static final String ORIGIN_HEADER = "origin";

  /** Header of a {@link #COMMITTED} message: when the store committed the batch, microseconds since the epoch. */
  public static final String COMMITTED_MICROS_HEADER = "committed-micros";

  /**
   * Header of a {@link #BATCHES} message on the clustered bus: the {@code cluster.id} of the sender.
   * Optional: a batch without it (an older sender) is taken, only not measured.
   */
  public static final String SOURCE_CLUSTER_HEADER = "source-cluster";

  /** Header of a {@link #BATCHES} message on the clustered bus: when it was sent, the sender's clock, epoch microseconds. */
  public static final String SENT_MICROS_HEADER = "sent-micros";

  /**
   * Streamers running the dcgm-exporter source publish their targets' status here periodically
   * (a JSON object: {@code instance}, {@code ttlMillis}, {@code targets}); gateways keep the latest
   * per target. On the clustered event bus it reaches every process; otherwise only this one.
   */
  public static final String SCRAPE_TARGETS = "telemetry.scrape.targets";

  /** {@link #SCRAPE_TARGETS} reports on the clustered event bus, for gateways in other processes. */
  public static final String SCRAPE_TARGETS_SHARED = "telemetry.scrape.targets.shared";

  private Addresses() {
  }
}
