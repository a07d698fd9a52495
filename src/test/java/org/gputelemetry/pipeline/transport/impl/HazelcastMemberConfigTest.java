package org.gputelemetry.pipeline.transport.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration a member is started with, read back from the {@link Config} object. */
class HazelcastMemberConfigTest {

  private static Config build(JsonObject cluster) {
    return HazelcastMemberConfig.build(TransportSettings.fromJson(new JsonObject().put("cluster", cluster)).cluster(),
        "streamer-0", List.of("streamer", "collector"));
  }

  @Test
  void tcpIpJoinOnTheGivenMembersWithoutMulticastOrAutoDetection() {
    Config c = build(new JsonObject().put("name", "prod").put("members", new JsonArray().add("10.0.0.1").add("10.0.0.2:5702"))
        .put("interface", "10.0.0.9").put("port", 5801));
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertEquals("prod", c.getClusterName());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.1", "10.0.0.2:5702"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertEquals(5801, c.getNetworkConfig().getPort());
    assertTrue(c.getNetworkConfig().isPortAutoIncrement());
    assertTrue(c.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("10.0.0.9"), List.copyOf(c.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", c.getProperty(ClusterProperty.SOCKET_BIND_ANY.getName()), "binds the interface only");
  }

  @Test
  void kubernetesDiscoveryThroughTheHeadlessServiceReplacesTcpIp() {
    Config c = build(new JsonObject().put("kubernetes", true).put("kubernetesService", "rel-hazelcast"));
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("rel-hazelcast", join.getKubernetesConfig().getProperty("service-name"));
    assertEquals("true", join.getKubernetesConfig().getProperty("resolve-not-ready-addresses"));
  }

  @Test
  void failureDetectionAndJoinWaitFollowTheSettings() {
    Config c = build(new JsonObject().put("joinWait", "2s").put("memberTimeout", "15s"));
    assertEquals("2", c.getProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName()));
    assertEquals("15", c.getProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName()));
    assertEquals("3", c.getProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName()));
    assertEquals("false", c.getProperty(ClusterProperty.PHONE_HOME_ENABLED.getName()));
    assertEquals("false", c.getProperty(ClusterProperty.SHUTDOWNHOOK_ENABLED.getName()));
    assertEquals("slf4j", c.getProperty(ClusterProperty.LOGGING_TYPE.getName()));
  }

  @Test
  void memberAdvertisesItsRolesAndInstanceIdAndCarriesVertxStructures() {
    Config c = build(new JsonObject());
    assertEquals("streamer,collector", c.getMemberAttributeConfig().getAttribute(HazelcastMemberConfig.ROLES_ATTRIBUTE));
    assertEquals("streamer-0", c.getMemberAttributeConfig().getAttribute(HazelcastMemberConfig.INSTANCE_ID_ATTRIBUTE));
    assertNotNull(c.getMultiMapConfigs().get("__vertx.subs"), "event-bus registrations");
    assertEquals(1, c.getMultiMapConfigs().get("__vertx.subs").getBackupCount());
  }
}
