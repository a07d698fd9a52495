package org.gputelemetry.pipeline.transport;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.testutil.TestMetrics;

/** The transport contract for the in-process event bus: the consumer gets the sent instance itself. */
class LocalTransportTest extends EventBusTransportContractTest {

  @Override
  Ends open(Vertx vertx, BatchConsumer consumer) {
    TransportSettings settings = TransportSettings.fromJson(new JsonObject().put("sendTimeout", SEND_TIMEOUT));
    Transport transport = Transports.create(vertx, settings, "all-in-one", List.of("streamer", "collector"), TestMetrics.create());
    await(transport.start().compose(v -> transport.consume(consumer)));
    return new Ends(transport, transport);
  }

  @Override
  boolean crossesTheWire() {
    return false;
  }
}
