package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.RenderedChart.component;
import static org.gputelemetry.pipeline.helm.RenderedChart.container;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.EmbeddedPostgresServer;
import org.gputelemetry.pipeline.testutil.Fleet;
import org.gputelemetry.pipeline.testutil.LoopbackCluster;
import org.gputelemetry.pipeline.testutil.PipelineProcess;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.Ports;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pods the chart renders, booted for real: each pipeline workload of a mode runs as a
 * process of its own with exactly the descriptor from its ConfigMap and its container's
 * environment. Only what a machine without Kubernetes cannot give is replaced: the addresses of
 * PostgreSQL, Redis and the Hazelcast peers (servers on 127.0.0.1 here), and free ports. Every pod
 * must become ready and the data must flow end to end through the mode's transport.
 */
class RenderedPodsBootIT {

  private final EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
  private Fleet pods;
  @TempDir
  Path tmp;
  private String database;
  private RedisServer redis;

  @AfterEach
  void tearDown() {
    if (pods != null) {
      pods.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (database != null) {
      postgres.dropDatabase(database);
    }
  }

  /**
   * Starts every pipeline workload of {@code mode}, on {@code cluster}'s loopback members; returns
   * the gateway's pod, if the mode has one.
   */
  private PipelineProcess boot(Mode mode, LoopbackCluster cluster) throws Exception {
    RenderedChart chart = mode.render();
    if (pods == null) {
      pods = new Fleet(tmp.resolve("logs"));
    }
    PipelineProcess gateway = null;
    for (Map<String, Object> workload : chart.pipelineWorkloads()) {
      // a StatefulSet's pods each stream their share of the GPUs (static split by pod index): boot
      // them all; of the interchangeable collector and gateway replicas one is enough
      int replicas = "StatefulSet".equals(workload.get("kind"))
          ? ((Number) RenderedChart.at(workload, "spec.replicas")).intValue() : 1;
      for (int index = 0; index < replicas; index++) {
        PipelineProcess pod = bootPod(mode, chart, workload, index, cluster);
        if (component(workload).equals("api-gateway")) {
          gateway = pod;
        }
      }
    }
    return gateway;
  }

  private PipelineProcess bootPod(Mode mode, RenderedChart chart, Map<String, Object> workload, int index,
                                LoopbackCluster cluster) throws Exception {
    String name = mode.release + "-" + component(workload) + "-" + index;
    Map<String, String> env = new HashMap<>(HelmReleases.podEnvironment(container(workload),
        Files.createDirectories(tmp.resolve(name))));
    if (env.containsKey("STREAMER_INSTANCE_INDEX")) {
      env.put("STREAMER_INSTANCE_INDEX", Integer.toString(index)); // the pod-index label of pod <index>
    }
    env.put("INSTANCE_ID", name);
    int port = Ports.free();
    // the one thing a pod's environment cannot say off Kubernetes: where the servers are
    env.putAll(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(postgres.port()), "DB_NAME", database,
        "DB_USER", "postgres", "DB_SSLMODE", "disable"));
    if (redis != null) {
      env.putAll(Map.of("REDIS_HOST", "127.0.0.1", "REDIS_PORT", Integer.toString(redis.port())));
    }
    JsonObject clustered = cluster.transportJson("10s").getJsonObject("cluster");
    env.putAll(Map.of("CLUSTER_KUBERNETES", "false", "CLUSTER_NAME", cluster.name(), "CLUSTER_INTERFACE", "127.0.0.1",
        "CLUSTER_PORT", clustered.getInteger("port").toString(), "CLUSTER_JOIN_WAIT", "0s",
        "CLUSTER_MEMBERS", String.join(",", clustered.getJsonArray("members").getList())));
    env.putAll(Map.of("GATEWAY_HOST", "127.0.0.1", "GATEWAY_PORT", Integer.toString(port), "OPS_HOST", "127.0.0.1",
        "OPS_PORT", Integer.toString(port), "SPOOL_DIR", tmp.resolve(name + "-spool").toString()));
    return pods.start(name, HelmReleases.descriptorOf(chart, workload), port, env);
  }

  private void expectReadyAndFlowing(PipelineProcess gateway) {
    for (PipelineProcess pod : pods.processes()) {
      pod.ready(120);
    }
    Poll.until("rows in PostgreSQL", 60, () -> rows() > DcgmSampleFile.ROWS);
    Poll.until("the gateway serves every GPU (has " + gpus(gateway) + ")\n" + gateway.tail(), 30,
        () -> gpus(gateway) == DcgmSampleFile.GPUS);
  }

  private long rows() {
    return postgres.sampleRows(database);
  }

  private static int gpus(PipelineProcess gateway) {
    // the chart turns authentication on; the token is what the pod reads from its mounted Secret
    // (see HelmReleases.podEnvironment)
    String body = gateway.get("/api/v1/gpus", "from-file:GATEWAY_AUTH_TOKEN_FILE");
    return body == null ? -1 : new JsonObject(body).getInteger("count", -1);
  }

  @Test
  void defaultValuesPodsStartAndStreamThroughTheClusteredEventBus() throws Exception {
    database = postgres.createDatabase("chart_default");
    expectReadyAndFlowing(boot(Mode.DEFAULT, LoopbackCluster.create()));
  }

  @Test
  void sameClusterPodsStartAndStreamThroughTheClusteredEventBus() throws Exception {
    database = postgres.createDatabase("chart_same");
    expectReadyAndFlowing(boot(Mode.SAME_CLUSTER, LoopbackCluster.create()));
  }

  @Test
  void edgeAndCentralReleasesStartSideBySideAndMeetInRedis() throws Exception {
    database = postgres.createDatabase("chart_cross");
    // the password the pods read from their mounted secret file (see HelmReleases.podEnvironment)
    redis = RedisServer.launch("from-file:REDIS_PASSWORD_FILE", null);
    PipelineProcess gateway = boot(Mode.CENTRAL, LoopbackCluster.create());
    assertTrue(gateway != null, "the central release runs the gateway");
    boot(Mode.EDGE, LoopbackCluster.create());
    expectReadyAndFlowing(gateway);
    // the mode files' clusterId reaches the pods as CLUSTER_ID: the central collector measures the edge
    PipelineProcess collector = pods.processes().stream().filter(p -> p.name().equals("telemetry-central-collector-0"))
        .findFirst().orElseThrow();
    String series = "source_cluster=\"edge\",target_cluster=\"central\"";
    Poll.until("the central collector reports the edge's latency\n" + collector.tail(), 30,
        () -> String.valueOf(collector.get("/metrics")).contains("cross_cluster_latency_seconds{" + series));
    assertTrue(String.valueOf(collector.get("/metrics")).contains(
        "message_queue_connection_status{cluster=\"central\",component=\"collector\",transport=\"redis\"} 1.0"));
  }
}
