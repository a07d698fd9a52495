package org.gputelemetry.pipeline.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The pipeline's own meters, registered once per process on one registry (the one Prometheus
 * scrapes). Meters are thread-safe; the hot path only increments pre-registered counters.
 *
 * <p>Every meter lives as long as this object. Micrometer holds the state object of a
 * {@link FunctionCounter} (and of a gauge built without {@code strongReference}) only weakly:
 * once the caller's lambda is collected the meter reads NaN or 0. So every function passed in is
 * kept here, and gauges are built with {@code strongReference(true)}.
 */
public final class PipelineMetrics {

  private final MeterRegistry registry;
  /** Strong references to the functions behind function meters (see the class comment). */
  private final List<Object> functions = new CopyOnWriteArrayList<>();
  public final Counter rowsStreamed;
  public final Counter sourceTicksSkipped;
  public final Counter batchesSent;
  public final Counter batchesRetried;
  public final Counter batchesRefused;
  public final Counter samplesPersisted;
  public final Counter storeWriteFailures;
  public final Counter storeDeadLetters;
  public final Timer storeWrite;
  public final Timer endToEndLag;
  public final Counter websocketSent;
  public final Counter websocketDropped;
  public final Counter websocketClosedSlow;
  public final Counter gatewayConnectionsRefused;
  public final Counter gatewayHeaderTimeouts;
  public final Counter spoolAppended;
  public final Counter spoolReplayed;
  public final Counter redisClaimed;
  public final Counter scrapeSamples;
  public final Counter scrapeErrors;
  public final Timer scrapeDuration;

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
    rowsStreamed = Counter.builder(MetricNames.ROWS_STREAMED).description("Rows read from the source and queued for sending")
        .register(registry);
    sourceTicksSkipped = Counter.builder(MetricNames.SOURCE_TICKS_SKIPPED)
        .description("Ticks a live source skipped because the streamer was more than an interval behind").register(registry);
    batchesSent = Counter.builder(MetricNames.BATCHES_SENT).description("Batches handed over to the transport and acknowledged")
        .register(registry);
    batchesRetried = Counter.builder(MetricNames.BATCHES_RETRIED).description("Batch sends that failed and were retried")
        .register(registry);
    batchesRefused = Counter.builder(MetricNames.BATCHES_REFUSED)
        .description("Batches refused as busy: a collector's buffer or a Redis edge's spool was full").register(registry);
    samplesPersisted = Counter.builder(MetricNames.SAMPLES_PERSISTED).description("Samples committed to the store")
        .register(registry);
    storeWriteFailures = Counter.builder(MetricNames.STORE_WRITE_FAILURES).description("Store writes that failed and will be retried")
        .register(registry);
    storeDeadLetters = Counter.builder(MetricNames.STORE_DEAD_LETTERS)
        .description("Samples the store refused for their content, set aside as dead letters").register(registry);
    storeWrite = Timer.builder(MetricNames.STORE_WRITE).description("Duration of one store write (one transaction)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    endToEndLag = Timer.builder(MetricNames.END_TO_END_LAG).description("Time from a row being processed by a streamer to its commit in the store")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    websocketSent = Counter.builder(MetricNames.WEBSOCKET_SENT).description("Samples written to live-feed WebSocket clients")
        .register(registry);
    websocketDropped = Counter.builder(MetricNames.WEBSOCKET_DROPPED)
        .description("Samples dropped for live-feed WebSocket clients that read too slowly").register(registry);
    websocketClosedSlow = Counter.builder(MetricNames.WEBSOCKET_CLOSED)
        .description("Live-feed WebSockets the gateway closed, by reason").tag("reason", "slow_client").register(registry);
    gatewayConnectionsRefused = Counter.builder(MetricNames.GATEWAY_CONNECTIONS_REFUSED)
        .description("Connections or requests the gateway refused because it was at gateway.maxConnections")
        .register(registry);
    gatewayHeaderTimeouts = Counter.builder(MetricNames.GATEWAY_HEADER_TIMEOUTS)
        .description("Connections closed because their request headers did not arrive in time").register(registry);
    spoolAppended = Counter.builder(MetricNames.SPOOL_APPENDED)
        .description("Batches the edge wrote to its disk spool because Redis was unreachable or behind").register(registry);
    spoolReplayed = Counter.builder(MetricNames.SPOOL_REPLAYED)
        .description("Spooled batches replayed to Redis").register(registry);
    redisClaimed = Counter.builder(MetricNames.REDIS_CLAIMED)
        .description("Stream entries claimed from a consumer that left them pending too long").register(registry);
    scrapeSamples = Counter.builder(MetricNames.SCRAPE_SAMPLES)
        .description("Samples the dcgm-exporter source scraped and mapped").register(registry);
    scrapeErrors = Counter.builder(MetricNames.SCRAPE_ERRORS)
        .description("Scrapes of dcgm-exporter targets that failed (refused, timed out, bad status, too large)")
        .register(registry);
    scrapeDuration = Timer.builder(MetricNames.SCRAPE_DURATION)
        .description("Duration of one successful scrape, request sent to body parsed").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
  }

  /** 1 while the dcgm-exporter target {@code url}'s latest scrape succeeded, else 0. */
  public void scrapeTargetUp(String url, Supplier<Number> up) {
    Gauge.builder(MetricNames.SCRAPE_TARGET_UP, hold(up)).description("Whether a scrape target's latest scrape succeeded")
        .tag("target", url).strongReference(true).register(registry);
  }

  /** Removes the {@link #scrapeTargetUp} gauge of a target this streamer no longer scrapes. */
  public void removeScrapeTarget(String url) {
    Gauge g = registry.find(MetricNames.SCRAPE_TARGET_UP).tag("target", url).gauge();
    if (g != null) {
      registry.remove(g);
    }
  }

  /** Counter of series a scrape skipped for {@code reason} (a snake_case label). */
  public Counter scrapeRejected(String reason) {
    return Counter.builder(MetricNames.SCRAPE_REJECTS).description("Scraped series skipped, by reason")
        .tag("reason", reason).register(registry);
  }

  /** Gauges of the edge spool's size on disk and the batches it holds. */
  public void spool(Supplier<Number> bytes, Supplier<Number> batches) {
    Gauge.builder(MetricNames.SPOOL_BYTES, hold(bytes)).description("Bytes the edge spool takes on disk").baseUnit("bytes")
        .strongReference(true).register(registry);
    Gauge.builder(MetricNames.SPOOL_BATCHES, hold(batches)).description("Batches waiting in the edge spool")
        .strongReference(true).register(registry);
  }

  /** The memory store's accounted bytes and samples kept (gauges) and samples evicted (a counter it keeps). */
  public void memoryStore(Supplier<Number> bytes, Supplier<Number> samples, Supplier<Number> evicted) {
    Gauge.builder(MetricNames.STORE_MEMORY_BYTES, hold(bytes))
        .description("Bytes the memory store's samples take as it accounts them (chunks, heads, bookkeeping)")
        .baseUnit("bytes").strongReference(true).register(registry);
    Gauge.builder(MetricNames.STORE_SAMPLES, hold(samples)).description("Samples the memory store keeps")
        .strongReference(true).register(registry);
    FunctionCounter.builder(MetricNames.STORE_EVICTED_SAMPLES, hold(evicted), c -> c.get().doubleValue())
        .description("Samples the memory store dropped to stay within store.maxBytes or store.maxEntriesPerGPU")
        .register(registry);
  }

  /** Gauge of the stream entries the collectors' group has not acknowledged, as the edge last saw it. */
  public void redisBacklog(Supplier<Number> entries) {
    Gauge.builder(MetricNames.REDIS_BACKLOG, hold(entries))
        .description("Entries of the Redis stream not yet acknowledged by the collectors' group")
        .strongReference(true).register(registry);
  }

  /** Counter of entries moved to the dead-letter stream for {@code reason} ({@code max_deliveries}, {@code undecodable}). */
  public Counter redisDeadLettered(String reason) {
    return Counter.builder(MetricNames.REDIS_DEAD_LETTERS).description("Stream entries moved to the dead-letter stream")
        .tag("reason", reason).register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Exposes the count of rows rejected for {@code reason} (a snake_case label), kept by the parser. */
  public void rowsRejected(String reason, Supplier<Number> count) {
    // FunctionCounter has no strongReference option: hold() is what keeps the count alive.
    FunctionCounter.builder(MetricNames.ROWS_REJECTED, hold(count), c -> c.get().doubleValue())
        .description("Source rows rejected, by reason").tag("reason", reason).register(registry);
  }

  /** Gauge of a queue's depth in samples; {@code queue} names which ring. */
  public void queueDepth(String queue, Supplier<Number> depth) {
    Gauge.builder(MetricNames.TRANSPORT_QUEUE_DEPTH, hold(depth)).description("Samples waiting in a hot-path ring buffer")
        .tag("queue", queue).strongReference(true).register(registry);
  }

  /**
   * 1 while {@code transport} reaches its peers or broker, 0 otherwise, as the role
   * {@code component} of a process in cluster {@code cluster} uses it (one series per role the
   * process runs: they share the connection).
   */
  public void connectionStatus(String cluster, String component, String transport, Supplier<Boolean> connected) {
    Supplier<Number> status = () -> connected.get() ? 1 : 0;
    Gauge.builder(MetricNames.QUEUE_CONNECTION_STATUS, hold(status))
        .description("Whether the transport is connected (1) or not (0)").tag("cluster", cluster).tag("component", component)
        .tag("transport", transport).strongReference(true).register(registry);
  }

  /**
   * Gauge of the recent send-to-receive latency of batches from {@code sourceCluster} received in
   * {@code targetCluster}, in seconds (what {@code seconds} reads).
   */
  public void crossClusterLatency(String sourceCluster, String targetCluster, Supplier<Number> seconds) {
    Gauge.builder(MetricNames.CROSS_CLUSTER_LATENCY, hold(seconds)).baseUnit("seconds")
        .description("Largest send-to-receive latency of the batches received from source_cluster over the last minute"
            + " (sender's clock to receiver's clock); 0 when none arrived")
        .tag("source_cluster", sourceCluster).tag("target_cluster", targetCluster).strongReference(true).register(registry);
  }

  /**
   * Timer of checkpoint writes or restores of the embedded store ({@code operation} {@code write}
   * or {@code restore}), successful ones only.
   */
  public Timer checkpointDuration(String operation) {
    return Timer.builder(MetricNames.CHECKPOINT_DURATION).description("Duration of a successful checkpoint write or restore")
        .tag("operation", operation).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
  }

  /** Counter of checkpoint writes that failed, or checkpoints found corrupt at restore ({@code operation}). */
  public Counter checkpointFailures(String operation) {
    return Counter.builder(MetricNames.CHECKPOINT_FAILURES)
        .description("Checkpoint writes that failed, and checkpoints found corrupt or unreadable at restore")
        .tag("operation", operation).register(registry);
  }

  /** Gauges of the newest checkpoint: when it was written (epoch seconds, 0 = never), its size and samples. */
  public void checkpointState(Supplier<Number> lastSuccessSeconds, Supplier<Number> bytes, Supplier<Number> samples) {
    Gauge.builder(MetricNames.CHECKPOINT_LAST_SUCCESS, hold(lastSuccessSeconds)).baseUnit("seconds")
        .description("When this process last wrote a checkpoint, epoch seconds; 0 = not yet")
        .strongReference(true).register(registry);
    Gauge.builder(MetricNames.CHECKPOINT_BYTES, hold(bytes)).description("Size of the checkpoint file last written or restored")
        .strongReference(true).register(registry);
    Gauge.builder(MetricNames.CHECKPOINT_SAMPLES, hold(samples)).description("Samples in the checkpoint last written or restored")
        .strongReference(true).register(registry);
  }

  /** Gauge of the GPUs whose newest sample is older than {@code gateway.staleAfter}, as the gateway last counted. */
  public void gpusStale(Supplier<Number> count) {
    Gauge.builder(MetricNames.GPUS_STALE, hold(count))
        .description("GPUs whose newest sample is older than gateway.staleAfter (counted every refresh period)")
        .strongReference(true).register(registry);
  }

  /** Gauge of the live-feed WebSocket connections open now. */
  public void websocketClients(Supplier<Number> clients) {
    Gauge.builder(MetricNames.WEBSOCKET_CLIENTS, hold(clients)).description("Live-feed WebSocket connections open")
        .strongReference(true).register(registry);
  }

  private <T> T hold(T function) {
    functions.add(function);
    return function;
  }

  /** Records how long a batch took from its first row being processed to commit. */
  public void lag(long createdMicros, long committedMicros) {
    endToEndLag.record(Duration.ofNanos(Math.max(0, committedMicros - createdMicros) * 1_000L));
  }
}
