package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections a client holds: idle ones and slowloris ones are closed, and past
 * {@code gateway.maxConnections} new ones are refused while {@code /health} still answers.
 * Small timeouts keep each test to a second or two.
 */
class GatewayConnectionLimitsIT {

  private final Vertx vertx = Vertx.vertx();
  private final List<RawHttp> sockets = new ArrayList<>();

  @AfterEach
  void close() {
    sockets.forEach(RawHttp::close);
    await(vertx.close());
  }

  private PipelineVerticle gateway(JsonObject gatewaySettings) {
    return Pipelines.deploy(vertx, new JsonObject()
        .put("roles", new JsonArray().add("gateway"))
        .put("gateway", gatewaySettings.copy().put("port", 0).put("host", "127.0.0.1")));
  }

  private RawHttp open(int port) {
    RawHttp s = RawHttp.connect(port);
    sockets.add(s);
    return s;
  }

  @Test
  void idleConnectionIsClosedAfterTheIdleTimeout() {
    PipelineVerticle p = gateway(new JsonObject().put("idleTimeout", "300ms").put("headerTimeout", "10s"));
    RawHttp idle = open(p.gatewayPort());
    assertTrue(idle.closedWithin(3000), "an idle connection stayed open");
  }

  @Test
  void slowlorisHeadersAreCutOffAtTheHeaderTimeout() {
    PipelineVerticle p = gateway(new JsonObject().put("idleTimeout", "10s").put("headerTimeout", "400ms"));
    double before = p.metrics().gatewayHeaderTimeouts.count();
    RawHttp slow = open(p.gatewayPort());
    long t0 = System.nanoTime();
    String request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: " + "d".repeat(100);
    boolean closed = false;
    for (int i = 0; i < request.length() && !closed; i++) {
      // one byte every 50 ms: never idle, never done
      closed = !slow.send(request.substring(i, i + 1)) || slow.closedWithin(50);
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(closed, "a dripping client kept its connection");
    assertTrue(millis < 3000, "closed only after " + millis + " ms");
    assertTrue(p.metrics().gatewayHeaderTimeouts.count() > before);
  }

  @Test
  void keptAliveConnectionMustSendItsNextRequestInTime() {
    PipelineVerticle p = gateway(new JsonObject().put("idleTimeout", "500ms").put("headerTimeout", "300ms"));
    RawHttp c = open(p.gatewayPort());
    c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // then drips a second request: the idle timeout alone would never fire
    boolean closed = false;
    long t0 = System.nanoTime();
    String next = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: " + "d".repeat(100);
    for (int i = 0; i < next.length() && !closed; i++) {
      closed = !c.send(next.substring(i, i + 1)) || c.closedWithin(50);
    }
    assertTrue(closed, "a kept-alive dripping client kept its connection");
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 4000);
  }

  @Test
  void pastTheCapRequestsAreRefusedButHealthStillAnswers() {
    PipelineVerticle p = gateway(new JsonObject().put("maxConnections", 3).put("idleTimeout", "30s")
        .put("headerTimeout", "30s"));
    int port = p.gatewayPort();
    for (int i = 0; i < 3; i++) {
      open(port);
    }
    Poll.until("three connections held", 5, () -> p.gateway().connections() == 3);
    double refusedBefore = p.metrics().gatewayConnectionsRefused.count();

    String refused = open(port).get("/api/v1/gpus", 5);
    assertEquals(503, RawHttp.status(refused), refused);
    assertTrue(new JsonObject(RawHttp.body(refused)).getString("error").contains("maxConnections"));
    assertTrue(p.metrics().gatewayConnectionsRefused.count() > refusedBefore);
    String health = open(port).get("/health", 5);
    assertEquals(200, RawHttp.status(health), health);
    String ready = open(port).get("/ready", 5);
    assertEquals(200, RawHttp.status(ready), ready);

    // beyond the probes' headroom a connection is closed at once
    Poll.until("the probe connections closed", 5, () -> p.gateway().connections() == 3);
    for (int i = 0; i < ConnectionGuard.PROBE_HEADROOM; i++) {
      open(port);
    }
    Poll.until("the headroom taken", 5, () -> p.gateway().connections() == 3 + ConnectionGuard.PROBE_HEADROOM);
    assertTrue(open(port).closedWithin(3000), "a connection past the headroom was kept");

    // a connection closing frees a place for an ordinary request again
    sockets.subList(3, sockets.size()).forEach(RawHttp::close);
    sockets.get(0).close();
    Poll.until("places freed", 5, () -> p.gateway().connections() == 2);
    String served = open(port).get("/api/v1/gpus", 5);
    assertEquals(200, RawHttp.status(served), served);
    assertFalse(served.isEmpty());
  }
}
