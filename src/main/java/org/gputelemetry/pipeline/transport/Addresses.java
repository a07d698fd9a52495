package org.gputelemetry.pipeline.transport;

/** Event-bus addresses, in one place. */
public final class Addresses {

  /** Streamers send batches here; collectors are competing consumers (point-to-point). */
  public static final String BATCHES = "telemetry.batches";

  /** Collectors publish each batch here after the store committed it (live feed, local only). */
  public static final String COMMITTED = "telemetry.committed";

  /** Header of a {@link #COMMITTED} message: when the store committed the batch, microseconds since the epoch. */
  public static final String COMMITTED_MICROS_HEADER = "committed-micros";

  private Addresses() {
  }
}
