package org.gputelemetry.pipeline.store;

import io.vertx.core.Vertx;
import org.gputelemetry.pipeline.config.StoreSettings;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.store.postgres.PostgresTelemetryStore;

/** Creates the store a descriptor names. */
public final class TelemetryStores {

  private TelemetryStores() {
  }

  public static TelemetryStore create(Vertx vertx, StoreSettings settings) {
    return switch (settings.type()) {
      case MEMORY -> new MemoryTelemetryStore(settings.maxBytes(), settings.maxEntriesPerGPU());
      case POSTGRES -> new PostgresTelemetryStore(vertx, settings);
    };
  }
}
