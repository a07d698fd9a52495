package org.gputelemetry.pipeline.testutil;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.config.TransportType;

/**
 * A Hazelcast cluster of the tests' own: loopback only (TCP-IP on 127.0.0.1, multicast off), a
 * unique cluster name, no join wait, and a block of ports from 15701 up that was free when taken,
 * so tests never join each other, another build's members or a real cluster on 5701.
 * Thread-safe.
 */
public final class LoopbackCluster {

  /** Ports of one cluster's block: its members bind the first free ones and list them all. */
  public static final int PORTS = 8;
  private static final AtomicInteger NEXT_BASE = new AtomicInteger(15701);

  private final String name;
  private final int base;

  private LoopbackCluster(String name, int base) {
    this.name = name;
    this.base = base;
  }

  /** A new cluster: fresh name, next free block of ports. */
  public static LoopbackCluster create() {
    while (true) {
      int base = NEXT_BASE.getAndAdd(PORTS);
      if (base + PORTS > 30000) {
        throw new IllegalStateException("no free block of loopback ports left");
      }
      if (free(base)) {
        return new LoopbackCluster("test-" + UUID.randomUUID(), base);
      }
    }
  }

  public String name() {
    return name;
  }

  /** The {@code transport} block of a descriptor: clustered, on this cluster, members dropped after 5s without heartbeats. */
  public JsonObject transportJson(String sendTimeout) {
    return transportJson(sendTimeout, "5s");
  }

  /** The {@code transport} block of a descriptor: clustered, on this cluster. */
  public JsonObject transportJson(String sendTimeout, String memberTimeout) {
    JsonArray members = new JsonArray();
    for (int p = base; p < base + PORTS; p++) {
      members.add("127.0.0.1:" + p);
    }
    return new JsonObject().put("type", TransportType.CLUSTERED.configName()).put("sendTimeout", sendTimeout)
        .put("cluster", new JsonObject().put("name", name).put("members", members).put("interface", "127.0.0.1")
            .put("port", base).put("joinWait", "0s").put("memberTimeout", memberTimeout));
  }

  /** Typed settings of {@link #transportJson}. */
  public TransportSettings settings(String sendTimeout) {
    return TransportSettings.fromJson(transportJson(sendTimeout));
  }

  private static boolean free(int base) {
    for (int p = base; p < base + PORTS; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException inUse) {
        return false;
      }
    }
    return true;
  }
}
