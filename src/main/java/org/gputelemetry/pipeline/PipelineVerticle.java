package org.gputelemetry.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.gputelemetry.pipeline.collector.CollectorVerticle;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.config.Descriptors;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.Role;
import org.gputelemetry.pipeline.config.StartupChecks;
import org.gputelemetry.pipeline.config.StoreType;
import org.gputelemetry.pipeline.gateway.CsvUploads;
import org.gputelemetry.pipeline.gateway.GatewayVerticle;
import org.gputelemetry.pipeline.gateway.StaleGpus;
import org.gputelemetry.pipeline.ops.OpsEndpoints;
import org.gputelemetry.pipeline.ops.OpsVerticle;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.ops.PrometheusNames;
import org.gputelemetry.pipeline.ops.Readiness;
import org.gputelemetry.pipeline.store.TelemetryStore;
import org.gputelemetry.pipeline.store.TelemetryStores;
import org.gputelemetry.pipeline.store.checkpoint.StoreCheckpoints;
import org.gputelemetry.pipeline.store.memory.MemoryTelemetryStore;
import org.gputelemetry.pipeline.streamer.StreamerVerticle;
import org.gputelemetry.pipeline.transport.Addresses;
import org.gputelemetry.pipeline.transport.CommittedBatches;
import org.gputelemetry.pipeline.transport.StreamerMembership;
import org.gputelemetry.pipeline.transport.Transport;
import org.gputelemetry.pipeline.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar's main verticle: reads the deployment descriptor once, creates what the roles share
 * (store, transport, metrics, readiness) and deploys the roles it names: collector first (so a
 * consumer exists), then gateway, then streamer; undeploys them in reverse. A bad descriptor fails
 * the start with a message naming the key, and the launcher exits non-zero. A process without the
 * gateway role also starts the ops server ({@code /health}, {@code /ready}, {@code /metrics}).
 * A streamer whose descriptor sets no static split ({@code streamer.instanceCount} 1) takes its
 * share from the transport's live membership when the transport has one ({@link StreamerMembership}).
 */
public final class PipelineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineVerticle.class);

  private final List<String> deployments = new ArrayList<>();
  private PipelineSettings settings;
  private TelemetryStore store;
  private Transport transport;
  private PipelineMetrics metrics;
  private Readiness readiness;
  private Future<Void> storeStarted;
  private StoreCheckpoints checkpoints;
  private OpsEndpoints ops;
  private OpsVerticle opsServer;
  private StreamerVerticle streamer;
  private CollectorVerticle collector;
  private final List<GatewayVerticle> gateways = new ArrayList<>();
  private StaleGpus staleGpus;
  private CsvUploads uploads;
  private final TelemetryStore givenStore;

  /** The jar's main verticle: the store is the one the descriptor names (none for a streamer-only process). */
  public PipelineVerticle() {
    this(null);
  }

  /** Runs with {@code store} instead of the descriptor's (tests: a store that can be made to fail). */
  public PipelineVerticle(TelemetryStore store) {
    this.givenStore = store;
  }

  @Override
  public Future<?> start() {
    try {
      JsonObject descriptor = Descriptors.resolve(config(), commandLine());
      settings = PipelineSettings.fromDescriptor(descriptor, System.getenv());
      StartupChecks.check(settings); // before anything binds a port
    } catch (RuntimeException e) {
      LOG.error("Bad deployment descriptor: {}", e.getMessage());
      return Future.failedFuture(e);
    }
    LOG.info("Starting roles {} as {}: {}", settings.roleNames(), settings.instanceId(), settings.toJson().encode());
    metrics = new PipelineMetrics(registry());
    readiness = new Readiness(vertx);
    ops = new OpsEndpoints(readiness, metrics.registry());
    try {
      // a streamer-only process (an edge pod) keeps no store: nothing to open, nothing to report
      boolean needsStore = settings.runs(Role.COLLECTOR) || settings.runs(Role.GATEWAY);
      store = !needsStore ? null : givenStore != null ? givenStore : TelemetryStores.create(vertx, settings.store());
      transport = Transports.create(vertx, settings.transport(), settings.instanceId(), settings.clusterId(),
          settings.roleNames(), metrics);
    } catch (RuntimeException e) {
      LOG.error("Cannot start: {}", e.getMessage());
      return Future.failedFuture(e);
    }
    // one series per role: an alert names the component that lost its queue, as the seeds' dashboards do
    for (String role : settings.roleNames()) {
      metrics.connectionStatus(settings.clusterId(), role, transport.type(), transport::connected);
    }
    if (store != null) {
      readiness.register("store", () -> store.ping().map(v -> new JsonObject().put("type", settings.store().type().configName())));
      // the store may be down at start (PostgreSQL): the process stays up and reports not ready
      storeStarted = store.start().onFailure(e -> LOG.warn("Store not started yet: {}", e.getMessage()));
      if (settings.store().checkpoint().enabled()) {
        if (settings.store().type() == StoreType.MEMORY) {
          checkpoints = new StoreCheckpoints(vertx, settings.store().checkpoint(), store, metrics);
          // the collector's writers wait for storeStarted, and the transport starts after it: the
          // restored history is in the store before the first new sample
          storeStarted = storeStarted.compose(v -> checkpoints.restore());
        } else {
          LOG.warn("store.checkpoint is ignored with store.type {}: the samples are durable there",
              settings.store().type().configName());
        }
      }
      if (store instanceof MemoryTelemetryStore memory) {
        metrics.memoryStore(memory::bytes, memory::samples, memory::evictedSamples);
      }
    }
    readiness.register("transport", () -> transport.connected()
        ? Future.succeededFuture(new JsonObject().put("type", transport.type()))
        : Future.failedFuture(transport.type() + " transport not connected"));
    Future<Void> restored = checkpoints == null ? Future.succeededFuture() : storeStarted;
    return restored.compose(v -> transport.start())
        .recover(e -> Future.failedFuture(portInUse(e, "transport.cluster.eventBusPort", settings.transport().cluster().eventBusPort())))
        .compose(v -> deployRoles())
        .onSuccess(v -> {
          if (checkpoints != null) {
            checkpoints.start();
          }
        })
        .onFailure(e -> LOG.error("Pipeline failed to start: {}", e.getMessage()));
  }

  private Future<?> deployRoles() {
    Future<?> chain = Future.succeededFuture();
    if (settings.runs(Role.COLLECTOR)) {
      collector = new CollectorVerticle(settings.collector(), store, transport, metrics, storeStarted);
      chain = chain.compose(v -> deploy(collector));
      readiness.register("collector", () -> Future.succeededFuture(collector.status()));
    }
    if (settings.runs(Role.GATEWAY)) {
      if (settings.gateway().upload().enabled()) {
        try {
          uploads = new CsvUploads(vertx, transport, settings.gateway().upload(), metrics);
          uploads.start();
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      }
      // several servers on one port, each on its own event loop: Vert.x spreads connections over them
      for (int i = 0; i < settings.gateway().effectiveInstances(); i++) {
        GatewayVerticle instance = new GatewayVerticle(settings.gateway(), store, metrics, ops, uploads);
        gateways.add(instance);
        chain = chain.compose(v -> deploy(instance)
            .recover(e -> Future.failedFuture(portInUse(e, "gateway.port", settings.gateway().port()))));
      }
      metrics.websocketClients(() -> gateways.stream().mapToInt(g -> g.feed() == null ? 0 : g.feed().clients()).sum());
      // one count per process, shared by the gateway's servers
      staleGpus = new StaleGpus(vertx, store, settings.gateway().staleAfter());
      metrics.gpusStale(staleGpus::count);
      chain = chain.map(v -> {
        staleGpus.start();
        return v;
      });
      chain = chain
          // batches committed by collectors in other processes feed this gateway's live feed too
          .compose(v -> transport.receiveCommitted((batch, at) -> CommittedBatches.publishLocally(vertx.eventBus(), batch, at)))
          // and the scrape-target reports of their streamers its /api/v1/targets
          .compose(v -> transport.receiveTargets(report -> vertx.eventBus().publish(Addresses.SCRAPE_TARGETS, report)));
    } else if (settings.ops().enabled()) {
      // the gateway serves /health, /ready and /metrics itself; other processes get a small ops server
      opsServer = new OpsVerticle(settings.ops(), ops);
      chain = chain.compose(v -> deploy(opsServer)
          .recover(e -> Future.failedFuture(portInUse(e, "ops.port", settings.ops().port()))));
    }
    if (settings.runs(Role.STREAMER)) {
      streamer = new StreamerVerticle(settings.streamer(), transport, metrics, settings.instanceId());
      // no static split in the descriptor: split by the live membership when the transport sees it;
      // the first share is set before the streamer starts, so its first pass already replays only its GPUs
      if (transport instanceof StreamerMembership membership && settings.streamer().instanceCount() == 1) {
        chain = chain.map(v -> {
          membership.watchStreamers(streamer::assign);
          return v;
        });
      }
      chain = chain.compose(v -> deploy(streamer));
      readiness.register("streamer", () -> Future.succeededFuture(streamer.status()));
    }
    return chain.onSuccess(v -> LOG.info("Pipeline started: {}", settings.roleNames()));
  }

  /**
   * A port taken by another process is a configuration problem, not a crash: one line naming the
   * port and how to change it, no stack trace. Other failures pass through unchanged.
   */
  static Throwable portInUse(Throwable failure, String key, int port) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException && port > 0) {
        return ConfigException.portInUse(key, port);
      }
    }
    return failure;
  }

  private Future<String> deploy(VerticleBase verticle) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP))
        .onSuccess(deployments::add);
  }

  @Override
  public Future<?> stop() {
    if (staleGpus != null) {
      staleGpus.stop();
    }
    List<String> reverse = new ArrayList<>(deployments);
    Collections.reverse(reverse);
    Future<?> chain = Future.succeededFuture();
    for (String id : reverse) {
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    if (uploads != null) {
      chain = chain.eventually(() -> vertx.executeBlocking(() -> {
        uploads.close();
        return null;
      }, false));
    }
    return chain.eventually(() -> transport == null ? Future.succeededFuture() : transport.close())
        // after the collector has drained its ring into the store: the final checkpoint has it all
        .eventually(() -> checkpoints == null ? Future.succeededFuture() : checkpoints.stop())
        .eventually(() -> store == null ? Future.succeededFuture() : store.close());
  }

  /**
   * The registry {@code /metrics} serves: Vert.x's own when its Micrometer metrics are on (the
   * default with {@code java -jar}, see {@link org.gputelemetry.pipeline.ops.PrometheusMetricsFactory}),
   * so one scrape has both; else a registry of the pipeline's meters alone.
   */
  private MeterRegistry registry() {
    MeterRegistry vertxRegistry = vertx.isMetricsEnabled() ? BackendRegistries.getDefaultNow() : null;
    return vertxRegistry != null ? vertxRegistry : PrometheusNames.registry();
  }

  /**
   * The process's arguments, to see what {@code -conf} asked for. {@code /proc/self/cmdline} keeps
   * each argument whole (inline JSON has spaces) where {@code ProcessHandle} may give none when the
   * command line is long (a test's class path).
   */
  private static List<String> commandLine() {
    try {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
      if (cmdline.length > 0) {
        return Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: ask the JVM
    }
    String[] args = ProcessHandle.current().info().arguments().orElse(null);
    if (args != null) {
      return Arrays.asList(args);
    }
    String command = System.getProperty("sun.java.command", "");
    return Arrays.asList(command.split(" "));
  }

  public PipelineSettings settings() {
    return settings;
  }

  public PipelineMetrics metrics() {
    return metrics;
  }

  /** The process's store, or {@code null} when it runs neither collector nor gateway. */
  public TelemetryStore store() {
    return store;
  }

  /** The streamer of this process, or {@code null} when it runs no streamer. */
  public StreamerVerticle streamer() {
    return streamer;
  }

  /** The port the ops server bound, or -1 when this process runs none (it runs the gateway, or ops is disabled). */
  public int opsPort() {
    return opsServer == null ? -1 : opsServer.port();
  }

  /** The (first) gateway instance of this process, or {@code null} when it runs none. */
  public GatewayVerticle gateway() {
    return gateways.isEmpty() ? null : gateways.get(0);
  }

  /** The HTTP port the gateway bound, or -1 when this process runs no gateway. */
  public int gatewayPort() {
    return gateways.isEmpty() ? -1 : gateways.get(0).port();
  }
}
