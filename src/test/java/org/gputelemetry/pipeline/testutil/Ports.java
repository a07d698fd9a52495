package org.gputelemetry.pipeline.testutil;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers a test starts. They are taken below the kernel's ephemeral range
 * (ip_local_port_range, 32768 and up by default): a port picked by binding port 0 lies in that
 * range, where the outbound connections of the processes under test (PostgreSQL and Hazelcast
 * clients) take their local ports, so one of them could take it before the server binds it (seen
 * in a full run). Each port is handed out once per JVM; another process may still take one first.
 */
public final class Ports {

  private static final int LOWEST = 20_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {
  }

  public static int free() {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
      if (HANDED_OUT.add(port) && bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in [" + LOWEST + ", " + below + ")");
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the ephemeral range (32768 when it cannot be read), at least LOWEST + 1,000. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return Math.max(LOWEST + 1_000, low);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
