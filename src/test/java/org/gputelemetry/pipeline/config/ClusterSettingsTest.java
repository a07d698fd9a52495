package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code transport.cluster}: the Hazelcast cluster of the clustered transport. */
class ClusterSettingsTest {

  private static TransportSettings.Cluster cluster(JsonObject block) {
    return TransportSettings.fromJson(new JsonObject().put("cluster", block)).cluster();
  }

  @Test
  void emptyBlockYieldsTheDocumentedDefaults() {
    TransportSettings.Cluster c = cluster(new JsonObject());
    assertEquals("telemetry", c.name());
    assertEquals(List.of("127.0.0.1"), c.members());
    assertEquals("127.0.0.1", c.iface());
    assertEquals(5701, c.port());
    assertFalse(c.kubernetes());
    assertNull(c.kubernetesService());
    assertEquals(Duration.ofSeconds(1), c.joinWait());
    assertEquals(Duration.ofSeconds(10), c.memberTimeout());
    assertEquals(0, c.eventBusPort());
  }

  @Test
  void toJsonRoundTripsToTheSameSettings() {
    TransportSettings t = TransportSettings.fromJson(new JsonObject().put("type", "clustered").put("cluster",
        new JsonObject().put("name", "prod").put("members", new JsonArray().add("10.0.0.1").add("10.0.0.2:5702"))
            .put("interface", "10.0.0.9").put("port", 5801).put("joinWait", "0s").put("memberTimeout", "30s")
            .put("eventBusPort", 5901).put("kubernetes", true).put("kubernetesService", "telemetry-hazelcast")));
    assertEquals(t, TransportSettings.fromJson(t.toJson()));
    assertEquals(Duration.ZERO, t.cluster().joinWait());
    assertEquals(5901, t.cluster().eventBusPort());
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertKey("transport.cluster.joinWait", new JsonObject().put("joinWait", "500ms"));
    assertKey("transport.cluster.joinWait", new JsonObject().put("joinWait", "2m"));
    assertKey("transport.cluster.memberTimeout", new JsonObject().put("memberTimeout", "1s"));
    assertKey("transport.cluster.memberTimeout", new JsonObject().put("memberTimeout", "soon"));
    assertKey("transport.cluster.eventBusPort", new JsonObject().put("eventBusPort", 70_000));
    assertKey("transport.cluster.port", new JsonObject().put("port", 0));
    assertKey("transport.cluster.members", new JsonObject().put("members", new JsonArray().add("10.0.0.1:99999")));
    assertKey("transport.cluster.members", new JsonObject().put("members", new JsonArray().add(":5701")));
    assertKey("transport.cluster.members", new JsonObject().put("members", new JsonArray().add(" ")));
    assertKey("transport.cluster.interface", new JsonObject().put("interface", ""));
    assertKey("transport.cluster.kubernetesService", new JsonObject().put("kubernetes", true));
    assertKey("transport.cluster.joinwait", new JsonObject().put("joinwait", "1s"));
  }

  @Test
  void environmentOverridesTheNewKeys() {
    PipelineSettings s = PipelineSettings.fromDescriptor(new JsonObject(), Map.of("CLUSTER_JOIN_WAIT", "0s",
        "CLUSTER_MEMBER_TIMEOUT", "20s", "CLUSTER_EVENT_BUS_PORT", "5799", "CLUSTER_MEMBERS", "a:5701, b"));
    TransportSettings.Cluster c = s.transport().cluster();
    assertEquals(Duration.ZERO, c.joinWait());
    assertEquals(Duration.ofSeconds(20), c.memberTimeout());
    assertEquals(5799, c.eventBusPort());
    assertEquals(List.of("a:5701", "b"), c.members());
  }

  @Test
  void configurationPageDocumentsEveryClusterKey() throws IOException {
    String doc = Files.readString(ConfigurationDocTest.PAGE);
    for (String key : cluster(new JsonObject()).toJson().fieldNames()) {
      assertTrue(doc.contains("| `transport.cluster." + key + "` |"), "docs/configuration.md's key table lacks transport.cluster." + key);
    }
  }

  private static void assertKey(String key, JsonObject block) {
    ConfigException e = assertThrows(ConfigException.class, () -> cluster(block));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }
}
