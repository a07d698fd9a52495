package org.gputelemetry.pipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.testutil.Fleet;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.PrometheusText;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.id} across the Redis bridge, with real processes as {@code conf/edge.json} and
 * {@code conf/central.json} run them ({@code CLUSTER_ID=edge} and {@code central}, the memory
 * store): the central collector reports the edge's send-to-receive latency, and both sides'
 * {@code message_queue_connection_status} follows Redis going away and coming back.
 */
class CrossClusterRedisIT {

  private static final String EDGE = "cluster=\"edge\",component=\"streamer\",transport=\"redis\"";
  private static final String CENTRAL = "cluster=\"central\",component=\"collector\",transport=\"redis\"";
  private static final String CENTRAL_GATEWAY = "cluster=\"central\",component=\"gateway\",transport=\"redis\"";

  @TempDir
  Path tmp;
  private Fleet fleet;
  private RedisServer redis;

  @BeforeEach
  void start() {
    fleet = new Fleet(tmp.resolve("logs"));
    redis = RedisServer.launch(null, null);
  }

  @AfterEach
  void stop() {
    fleet.close();
    redis.close();
  }

  private JsonObject transport() {
    return new JsonObject().put("type", "redis")
        .put("redis", new JsonObject().put("host", "127.0.0.1").put("port", redis.port()).put("stream", "cross")
            .put("timeout", "1s"))
        .put("spool", new JsonObject().put("dir", tmp.resolve("spool").toString()));
  }

  private static double status(PipelineProcess p, String labels) {
    String metrics = p.get("/metrics");
    return metrics == null ? -1 : PrometheusText.sum(metrics, "message_queue_connection_status", labels);
  }

  @Test
  void centralMeasuresTheEdgesLatencyAndBothReportRedisGoingAway() {
    int gateway = Ports.free();
    PipelineProcess central = fleet.start("central", Pipelines.merge(Pipelines.descriptor("central.json"), new JsonObject()
        .put("collector", new JsonObject().put("store", new JsonObject().put("type", "memory")))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", gateway))
        .put("transport", transport())), gateway, Map.of("CLUSTER_ID", "central")).ready(60);
    int ops = Ports.free();
    PipelineProcess edge = fleet.start("edge", Pipelines.merge(Pipelines.descriptor("edge.json"), new JsonObject()
        .put("streamer", new JsonObject().put("rate", 200).put("batchSize", 50))
        .put("transport", transport())
        .put("ops", new JsonObject().put("host", "127.0.0.1").put("port", ops))), ops, Map.of("CLUSTER_ID", "edge")).ready(60);

    String series = "source_cluster=\"edge\",target_cluster=\"central\"";
    Poll.until("central measures batches from the edge\n" + fleet.logs(), 30, () -> {
      String m = central.get("/metrics");
      return m != null && PrometheusText.has(m, "cross_cluster_latency_seconds") && m.contains(series);
    });
    double latency = PrometheusText.sum(central.get("/metrics"), "cross_cluster_latency_seconds", series);
    assertTrue(latency > 0 && latency < 5, "XADD to XREADGROUP on one host, one clock: " + latency + " s");
    assertEquals(1.0, status(edge, EDGE));
    assertEquals(1.0, status(central, CENTRAL));
    assertEquals(1.0, status(central, CENTRAL_GATEWAY));

    redis.stop();
    Poll.until("both sides report Redis lost\n" + fleet.logs(), 30,
        () -> status(edge, EDGE) == 0 && status(central, CENTRAL) == 0 && status(central, CENTRAL_GATEWAY) == 0);
    assertTrue(edge.alive() && central.alive(), "an outage is waited out, not a crash");

    redis.start();
    Poll.until("both sides report Redis back\n" + fleet.logs(), 30,
        () -> status(edge, EDGE) == 1 && status(central, CENTRAL) == 1);
    // only the two clusters' series: the source label is the sender's cluster.id, nothing else
    String m = central.get("/metrics");
    assertEquals(List.of(series), m.lines().filter(l -> l.startsWith("cross_cluster_latency_seconds{"))
        .map(l -> l.substring(l.indexOf('{') + 1, l.indexOf('}'))).toList());
  }
}
