package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.gputelemetry.pipeline.config.PipelineSettings;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.config.TransportType;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.CommittedListener;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.gputelemetry.pipeline.transport.Transport;

/**
 * The bridge between clusters: streamers append batches to a Redis Stream, collectors read it
 * through one consumer group. Each stream entry is one batch in {@link SampleBatchCodec}'s binary
 * form (field {@value #PAYLOAD_FIELD}). A send completes once Redis holds the entry, or the edge
 * spool does while Redis is unreachable ({@link RedisStreamProducer}); a collector acknowledges an
 * entry only after its store committed the batch ({@link RedisStreamConsumer}); committed batches
 * reach the live feeds of gateways in other processes over pub/sub ({@link RedisLiveChannel}). At-least-once:
 * after a failure an entry may be written twice, and the store de-duplicates.
 * A process with the streamer role opens the producer (and its spool) at start; one with only the
 * gateway role (which sends the rows of CSV uploads) opens it at its first send, so a gateway that
 * never takes an upload opens neither.
 * Thread-safe: {@link #send} may be called from any thread.
 */
public final class RedisStreamTransport implements Transport {

  /** The stream entry field holding the encoded batch. */
  static final String PAYLOAD_FIELD = "b";
  /** The entry field holding the sender's {@code cluster.id}; optional (older senders write none). */
  static final String CLUSTER_FIELD = "c";
  /** The entry field holding the send time, the sender's clock in epoch microseconds; optional. */
  static final String SENT_FIELD = "t";

  private final Vertx vertx;
  private final TransportSettings settings;
  private final String instanceId;
  private final boolean streams;
  /** Whether this process may send: it runs a streamer or a gateway (CSV uploads). */
  private final boolean sends;
  /** The producer's start, once begun (guarded by {@code this}); null before. */
  private Future<Void> producerStarted;
  private final PipelineMetrics metrics;
  private final CrossClusterLatency latency;
  private final List<RedisLink> links = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Context context;
  private volatile RedisLink producerLink;
  private RedisLink readerLink;
  private volatile RedisStreamProducer producer;
  private RedisStreamConsumer consumer;
  private RedisLiveChannel live;

  /**
   * @param instanceId this process's consumer name in the group
   * @param roles a process with the streamer role opens the edge spool
   */
  public RedisStreamTransport(Vertx vertx, TransportSettings settings, String instanceId, List<String> roles,
                              PipelineMetrics metrics) {
    this(vertx, settings, instanceId, roles, metrics, new CrossClusterLatency(PipelineSettings.DEFAULT_CLUSTER_ID, metrics));
  }

  /** @param latency stamps what this process sends with its cluster id, and measures what it receives */
  public RedisStreamTransport(Vertx vertx, TransportSettings settings, String instanceId, List<String> roles,
                              PipelineMetrics metrics, CrossClusterLatency latency) {
    this.latency = latency;
    this.vertx = vertx;
    this.settings = settings;
    this.instanceId = instanceId;
    this.streams = roles.contains(PipelineSettings.STREAMER);
    this.sends = streams || roles.contains(PipelineSettings.GATEWAY);
    this.metrics = metrics;
  }

  @Override
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    live = new RedisLiveChannel(vertx, context, settings.redis(), instanceId);
    if (!streams) {
      return Future.succeededFuture();
    }
    return startProducer();
  }

  /** Opens the producer once; a failed start is tried again at the next call. */
  private synchronized Future<Void> startProducer() {
    if (producerStarted == null || producerStarted.failed()) {
      RedisLink l = link("edge producer");
      RedisStreamProducer p = new RedisStreamProducer(vertx, context, l, settings.redis(), settings.spool(), metrics,
          latency.cluster());
      // on the transport's own context (the process's main verticle), as at start: what the producer
      // creates (its worker executor, timers) then lives as long as the transport, not the caller
      io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
      context.runOnContext(x -> p.start().onComplete(started));
      producerStarted = started.future().onSuccess(v -> {
        producerLink = l;
        producer = p;
      }).onFailure(e -> {
        links.remove(l);
        l.close();
      });
    }
    return producerStarted;
  }

  private RedisLink link(String name) {
    RedisLink link = new RedisLink(vertx, settings.redis(), name);
    links.add(link);
    return link;
  }

  @Override
  public Future<Void> send(SampleBatch batch) {
    if (!sends) {
      return Future.failedFuture("this process runs neither streamer nor gateway: the Redis transport does not send");
    }
    byte[] payload = SampleBatchCodec.toBytes(batch); // encoded on the caller's thread, off the event loop
    RedisStreamProducer p = producer;
    return p != null ? p.send(payload) : startProducer().compose(v -> producer.send(payload));
  }

  @Override
  public Future<Void> consume(BatchConsumer batchConsumer) {
    metrics.redisDeadLettered("max_deliveries");
    metrics.redisDeadLettered("undecodable");
    readerLink = link("collector reader");
    consumer = new RedisStreamConsumer(vertx, context, readerLink, link("collector control"), settings.redis(),
        instanceId, batchConsumer, metrics, latency);
    return consumer.start();
  }

  @Override
  public void shareCommitted(SampleBatch batch, long committedMicros) {
    live.publish(batch, committedMicros);
  }

  @Override
  public Future<Void> receiveCommitted(CommittedListener listener) {
    live.subscribe(listener);
    return Future.succeededFuture();
  }

  /**
   * Creates the consumer group at the start of the stream (creating the stream too) unless it
   * exists, so entries appended before the first collector started are read as well.
   */
  static Future<Void> ensureGroup(RedisLink link, TransportSettings.Redis redis) {
    return link.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(redis.stream()).arg(redis.group()).arg("0")
            .arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> RedisLink.isError(e, "BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /** Whether Redis answers the links this process uses (the edge may still be spooling). */
  @Override
  public boolean connected() {
    return (producerLink == null || producerLink.up()) && (readerLink == null || readerLink.up());
  }

  @Override
  public String type() {
    return TransportType.REDIS.configName();
  }

  /** Whether the edge is writing to its spool rather than to Redis (readiness detail). */
  public boolean spooling() {
    return producer != null && producer.spooling();
  }

  @Override
  public Future<Void> close() {
    if (live != null) {
      live.close();
    }
    Future<Void> sides = Future.all(
        consumer == null ? Future.succeededFuture() : consumer.close(),
        producer == null ? Future.succeededFuture() : producer.close()).mapEmpty();
    return sides.eventually(() -> Future.all(links.stream().map(RedisLink::close).toList())).mapEmpty();
  }
}
