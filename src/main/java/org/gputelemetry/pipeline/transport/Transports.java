package org.gputelemetry.pipeline.transport;

import io.vertx.core.Vertx;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.transport.impl.LocalTransport;

/** Creates the transport a descriptor names, and registers the batch codec once per Vert.x instance. */
public final class Transports {

  private Transports() {
  }

  public static Transport create(Vertx vertx, TransportSettings settings, String instanceId) {
    registerCodec(vertx);
    return switch (settings.type()) {
      case TransportSettings.LOCAL -> new LocalTransport(vertx, settings.sendTimeout());
      default -> throw new ConfigException("transport.type", "transport '" + settings.type() + "' is not available in this build");
    };
  }

  /** Registers {@link SampleBatchCodec} unless this Vert.x instance already has it. */
  public static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(org.gputelemetry.pipeline.model.SampleBatch.class, new SampleBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // a second deployment in the same Vert.x instance (tests, -instances N): the codec is there
    }
  }
}
