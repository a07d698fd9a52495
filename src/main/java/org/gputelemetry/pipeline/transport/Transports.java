package org.gputelemetry.pipeline.transport;

import io.vertx.core.Vertx;
import java.util.List;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.transport.impl.ClusteredTransport;
import org.gputelemetry.pipeline.transport.impl.LocalTransport;
import org.gputelemetry.pipeline.transport.impl.RedisStreamTransport;

/** Creates the transport a descriptor names, and registers the batch codec once per Vert.x instance. */
public final class Transports {

  private Transports() {
  }

  /**
   * @param instanceId this process's id (Redis consumer name, cluster member attribute)
   * @param roles the roles this process runs (a clustered member advertises them, so streamers
   *              can split the input among the streamers of the live membership; only a streamer
   *              opens the Redis transport's edge spool)
   * @param metrics where a transport registers its own meters
   */
  public static Transport create(Vertx vertx, TransportSettings settings, String instanceId, List<String> roles,
                                 PipelineMetrics metrics) {
    return create(vertx, settings, instanceId, PipelineSettings.DEFAULT_CLUSTER_ID, roles, metrics);
  }

  /**
   * @param clusterId this process's {@code cluster.id}: stamped on the batches the clustered and
   *                  Redis transports send, and the target of the latency they measure on receipt
   */
  public static Transport create(Vertx vertx, TransportSettings settings, String instanceId, String clusterId,
                                 List<String> roles, PipelineMetrics metrics) {
    registerCodec(vertx);
    CrossClusterLatency latency = new CrossClusterLatency(clusterId, metrics);
    return switch (settings.type()) {
      case LOCAL -> new LocalTransport(vertx, settings.sendTimeout());
      case REDIS -> new RedisStreamTransport(vertx, settings, instanceId, roles, metrics, latency);
      case CLUSTERED -> new ClusteredTransport(vertx, settings, instanceId, roles, latency);
    };
  }

  /**
   * Registers {@link SampleBatchCodec} unless this Vert.x instance already has it (the process's
   * instance always, for the live feed; a clustered transport's own instance too).
   */
  public static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(SampleBatch.class, new SampleBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // a second deployment in the same Vert.x instance (tests, -instances N): the codec is there
    }
  }
}
