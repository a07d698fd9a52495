package org.gputelemetry.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A port the descriptor names that another process holds fails the start with one line naming it. */
@ExtendWith(VertxExtension.class)
class PortInUseTest {

  private ServerSocket taken;

  @BeforeEach
  void takeAPort() throws IOException {
    taken = new ServerSocket();
    taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void release() throws IOException {
    taken.close();
  }

  @Test
  void gatewayPortInUseNamesThePortAndHowToChangeIt(Vertx vertx, VertxTestContext ctx) {
    int port = taken.getLocalPort();
    JsonObject descriptor = new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("gateway"))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", port).put("instances", 1));
    vertx.deployVerticle(new PipelineVerticle(), new DeploymentOptions().setConfig(descriptor))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals("gateway.port " + port + " is already in use (set gateway.port or GATEWAY_PORT)", e.getMessage());
          assertEquals(0, e.getStackTrace().length);
          ctx.completeNow();
        })));
  }

  @Test
  void opsPortInUseNamesThePortAndHowToChangeIt(Vertx vertx, VertxTestContext ctx) {
    int port = taken.getLocalPort();
    JsonObject descriptor = new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("collector"))
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", port));
    vertx.deployVerticle(new PipelineVerticle(), new DeploymentOptions().setConfig(descriptor))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals("ops.port " + port + " is already in use (set ops.port or OPS_PORT)", e.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void otherFailuresPassThroughUnchanged() {
    IllegalStateException other = new IllegalStateException("boom");
    assertSame(other, PipelineVerticle.portInUse(other, "gateway.port", 8080));
    java.net.BindException bind = new java.net.BindException("Address already in use");
    // port 0 asks for any free port: a bind failure there is not about a port the user chose
    assertSame(bind, PipelineVerticle.portInUse(bind, "gateway.port", 0));
    assertEquals("gateway.port 8080 is already in use (set gateway.port or GATEWAY_PORT)",
        PipelineVerticle.portInUse(new RuntimeException(bind), "gateway.port", 8080).getMessage());
  }
}
