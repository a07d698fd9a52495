package org.gputelemetry.pipeline.transport.impl;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.function.Consumer;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.config.TransportType;
import org.gputelemetry.pipeline.model.Assignment;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.transport.Addresses;
import org.gputelemetry.pipeline.transport.CommittedListener;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.gputelemetry.pipeline.transport.StreamerMembership;
import org.gputelemetry.pipeline.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x event bus clustered by Hazelcast: streamers and collectors in different JVMs of one
 * cluster. Collectors are competing consumers of {@code Addresses.BATCHES}: each batch goes to one
 * collector (round-robin over the members that consume), on the wire in {@code SampleBatchCodec}'s
 * binary form, and is acknowledged by that collector's reply after its store committed. A batch
 * whose collector fails, refuses it (busy, code 503) or dies fails the send, and the sender sends
 * it again; it may then reach another collector.
 *
 * <p>The process's own Vert.x instance (the launcher's) is not clustered, so {@link #start()}
 * builds a second, clustered one for the batches alone and {@link #close()} closes it (leaving the
 * cluster). Everything else of the process (the live feed, the gateway, timers) stays on the
 * launcher's instance. The member advertises its roles and instance id, and implements
 * {@link StreamerMembership} from the live membership. Committed batches are published on the
 * clustered bus for the live feeds of gateways in other members. Each batch carries its sender's
 * {@code cluster.id} and send time as headers, which the receiving collector turns into
 * {@link CrossClusterLatency}; batches without them are accepted. Thread-safe.
 */
public final class ClusteredTransport extends LocalTransport implements StreamerMembership {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteredTransport.class);

  private final Vertx launcher;
  private final TransportSettings.Cluster cluster;
  private final String instanceId;
  private final List<String> roles;
  private final CrossClusterLatency latency;
  private volatile Vertx clustered;
  private volatile HazelcastClusterManager clusterManager;
  private volatile StreamerSplit split;

  /**
   * @param vertx the process's Vert.x instance: start and close complete on its context
   * @param roles advertised as a member attribute (the streamer split counts the streamer members)
   */
  public ClusteredTransport(Vertx vertx, TransportSettings settings, String instanceId, List<String> roles,
                            CrossClusterLatency latency) {
    super(vertx, settings.sendTimeout());
    this.launcher = vertx;
    this.cluster = settings.cluster();
    this.instanceId = instanceId;
    this.roles = List.copyOf(roles);
    this.latency = latency;
  }

  /** Stamps each send with this process's {@code cluster.id} and the time it left (headers: the codec's bytes are unchanged). */
  @Override
  protected DeliveryOptions delivery(DeliveryOptions base) {
    return new DeliveryOptions(base).addHeader(Addresses.SOURCE_CLUSTER_HEADER, latency.cluster())
        .addHeader(Addresses.SENT_MICROS_HEADER, Long.toString(CrossClusterLatency.nowMicros()));
  }

  /** Measures stamped batches; an unstamped one (an older sender) is taken all the same. */
  @Override
  protected void received(MultiMap headers) {
    latency.received(headers.get(Addresses.SOURCE_CLUSTER_HEADER), CrossClusterLatency.micros(headers.get(Addresses.SENT_MICROS_HEADER)));
  }

  @Override
  protected boolean localOnly() {
    return false;
  }

  @Override
  protected Vertx bus() {
    return clustered;
  }

  /** Joins the cluster; fails, naming the cluster and interface, when this member cannot start. */
  @Override
  public Future<Void> start() {
    if (clustered != null) {
      return Future.succeededFuture();
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastMemberConfig.build(cluster, instanceId, roles));
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost(cluster.iface()).setPort(cluster.eventBusPort()));
    Context caller = launcher.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    // the second instance is intended: built from a plain thread, Vert.x does not warn about nesting instances
    Thread builder = new Thread(() -> Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .onComplete(ar -> caller.runOnContext(v -> joined(ar, manager, started))), "clustered-vertx-start");
    builder.setDaemon(true);
    builder.start();
    return started.future();
  }

  private void joined(AsyncResult<Vertx> ar, HazelcastClusterManager manager, Promise<Void> started) {
    if (ar.failed()) {
      started.fail(new IllegalStateException("cannot join Hazelcast cluster '" + cluster.name() + "' on "
          + cluster.iface() + ": " + ar.cause().getMessage(), ar.cause()));
      return;
    }
    Transports.registerCodec(ar.result());
    HazelcastInstance hz = manager.getHazelcastInstance();
    StreamerSplit s = new StreamerSplit(hz.getCluster());
    hz.getCluster().addMembershipListener(s);
    clusterManager = manager;
    split = s;
    clustered = ar.result();
    LOG.info("Joined Hazelcast cluster '{}' as {} ({}, {}), {} members; event bus on {}:{}", cluster.name(),
        hz.getCluster().getLocalMember().getAddress(), instanceId, roles, hz.getCluster().getMembers().size(),
        manager.getNodeInfo().host(), manager.getNodeInfo().port());
    started.complete();
  }

  /** Publishes on the clustered event bus, to the gateways of other members; nothing if none listens. */
  @Override
  public void shareCommitted(SampleBatch batch, long committedMicros) {
    Vertx bus = clustered;
    if (bus != null) {
      bus.eventBus().publish(Addresses.COMMITTED_SHARED, batch, new DeliveryOptions().setCodecName(SampleBatchCodec.NAME)
          .addHeader(Addresses.COMMITTED_MICROS_HEADER, Long.toString(committedMicros))
          .addHeader(Addresses.ORIGIN_HEADER, instanceId));
    }
  }

  @Override
  public Future<Void> receiveCommitted(CommittedListener listener) {
    Vertx bus = clustered;
    if (bus == null) {
      return Future.failedFuture("clustered transport is not started");
    }
    MessageConsumer<SampleBatch> shared = bus.eventBus().consumer(Addresses.COMMITTED_SHARED, msg -> {
      if (!instanceId.equals(msg.headers().get(Addresses.ORIGIN_HEADER))) {
        listener.committed(msg.body(), Long.parseLong(msg.headers().get(Addresses.COMMITTED_MICROS_HEADER)));
      }
    });
    return shared.completion();
  }

  /** Publishes a streamer's target report on the clustered event bus, to the gateways of other members. */
  @Override
  public void shareTargets(JsonObject report) {
    Vertx bus = clustered;
    if (bus != null) {
      bus.eventBus().publish(Addresses.SCRAPE_TARGETS_SHARED, report,
          new DeliveryOptions().addHeader(Addresses.ORIGIN_HEADER, instanceId));
    }
  }

  @Override
  public Future<Void> receiveTargets(java.util.function.Consumer<JsonObject> listener) {
    Vertx bus = clustered;
    if (bus == null) {
      return Future.failedFuture("clustered transport is not started");
    }
    MessageConsumer<JsonObject> shared = bus.eventBus().consumer(Addresses.SCRAPE_TARGETS_SHARED, msg -> {
      if (!instanceId.equals(msg.headers().get(Addresses.ORIGIN_HEADER))) {
        listener.accept(msg.body());
      }
    });
    return shared.completion();
  }

  /** True while the cluster manager is active and this member is in the cluster's member list. */
  @Override
  public boolean connected() {
    HazelcastClusterManager manager = clusterManager;
    if (manager == null || !manager.isActive()) {
      return false;
    }
    HazelcastInstance hz = manager.getHazelcastInstance();
    return hz != null && hz.getLifecycleService().isRunning()
        && hz.getCluster().getMembers().contains(hz.getCluster().getLocalMember());
  }

  @Override
  public String type() {
    return TransportType.CLUSTERED.configName();
  }

  /** Must be called after {@link #start()} succeeded (the dispatcher wires the streamer after it). */
  @Override
  public void watchStreamers(Consumer<Assignment> listener) {
    StreamerSplit s = split;
    if (s == null) {
      throw new IllegalStateException("clustered transport is not started");
    }
    s.watch(listener);
  }

  /** Unregisters the consumer (other members stop routing batches here), then leaves the cluster. */
  @Override
  public Future<Void> close() {
    Vertx bus = clustered;
    if (bus == null) {
      return Future.succeededFuture();
    }
    Context caller = launcher.getOrCreateContext();
    Promise<Void> closed = Promise.promise();
    // no composed future here: one bound to a context of the closing instance would never call back
    super.close().onComplete(unregistered -> bus.close().onComplete(left -> caller.runOnContext(v -> {
      clustered = null;
      clusterManager = null;
      LOG.info("Left Hazelcast cluster '{}'", cluster.name());
      if (unregistered.failed()) {
        closed.fail(unregistered.cause());
      } else {
        closed.handle(left);
      }
    })));
    return closed.future();
  }
}
