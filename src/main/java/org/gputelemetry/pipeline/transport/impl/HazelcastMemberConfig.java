package org.gputelemetry.pipeline.transport.impl;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import java.util.Arrays;
import java.util.List;
import org.gputelemetry.pipeline.config.TransportSettings;

/**
 * The Hazelcast configuration of one clustered event-bus member, built in code from
 * {@link TransportSettings.Cluster} (no {@code cluster.xml} is read, so nothing on the class path
 * can change it). Discovery is TCP-IP or Kubernetes, never multicast or auto-detection; the member
 * binds only {@code interface}; failure detection follows {@code memberTimeout}; the member carries
 * its roles and instance id as attributes. Stateless.
 */
public final class HazelcastMemberConfig {

  /** Member attribute: the roles of the process, comma-separated. */
  public static final String ROLES_ATTRIBUTE = "roles";

  /** Member attribute: the process's instance id. */
  public static final String INSTANCE_ID_ATTRIBUTE = "instanceId";

  /** Seconds between split-brain merge checks: members that formed separate clusters at start find each other soon. */
  private static final int MERGE_DELAY_SECONDS = 10;

  /** Longest a leaving member waits for its partitions to migrate (the cluster holds only event-bus registrations). */
  private static final int GRACEFUL_SHUTDOWN_SECONDS = 10;

  private HazelcastMemberConfig() {
  }

  public static Config build(TransportSettings.Cluster cluster, String instanceId, List<String> roles) {
    Config config = new Config();
    config.setClusterName(cluster.name());
    vertxStructures(config);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface(cluster.iface());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetes()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-name", cluster.kubernetesService())
          // pods must find each other before they are ready: readiness waits for the cluster
          .setProperty("resolve-not-ready-addresses", "true");
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members().stream().map(String::strip).toList());
    }

    config.getMemberAttributeConfig()
        .setAttribute(INSTANCE_ID_ATTRIBUTE, instanceId)
        .setAttribute(ROLES_ATTRIBUTE, String.join(",", roles));

    long timeout = cluster.memberTimeout().getSeconds();
    long joinWait = cluster.joinWait().getSeconds();
    set(config, ClusterProperty.SOCKET_BIND_ANY, false);
    set(config, ClusterProperty.WAIT_SECONDS_BEFORE_JOIN, joinWait);
    set(config, ClusterProperty.MAX_WAIT_SECONDS_BEFORE_JOIN, joinWait * 2);
    set(config, ClusterProperty.HEARTBEAT_INTERVAL_SECONDS, Math.max(1, timeout / 5));
    set(config, ClusterProperty.MAX_NO_HEARTBEAT_SECONDS, timeout);
    set(config, ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS, MERGE_DELAY_SECONDS);
    set(config, ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS, MERGE_DELAY_SECONDS);
    set(config, ClusterProperty.GRACEFUL_SHUTDOWN_MAX_WAIT, GRACEFUL_SHUTDOWN_SECONDS);
    set(config, ClusterProperty.PHONE_HOME_ENABLED, false);
    // Vert.x closes Hazelcast when it closes; Hazelcast's own hook would leave the cluster under it
    set(config, ClusterProperty.SHUTDOWNHOOK_ENABLED, false);
    set(config, ClusterProperty.LOGGING_TYPE, "slf4j");
    return config;
  }

  /** The roles a member advertises (empty when it carries no such attribute: not one of ours). */
  public static List<String> roles(Member member) {
    String roles = member.getAttribute(ROLES_ATTRIBUTE);
    return roles == null || roles.isEmpty() ? List.of() : Arrays.asList(roles.split(","));
  }

  /** The instance id a member advertises, or its UUID when it carries none. */
  public static String instanceId(Member member) {
    String id = member.getAttribute(INSTANCE_ID_ATTRIBUTE);
    return id == null ? member.getUuid().toString() : id;
  }

  /** The data structures vertx-hazelcast's {@code default-cluster.xml} configures (event-bus registrations, HA and node info). */
  private static void vertxStructures(Config config) {
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
  }

  private static void set(Config config, com.hazelcast.spi.properties.HazelcastProperty property, Object value) {
    config.setProperty(property.getName(), String.valueOf(value));
  }
}
