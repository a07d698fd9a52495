package org.gputelemetry.pipeline.gateway;

import graphql.schema.DataFetchingEnvironment;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.MultiMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.transport.Addresses;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The {@code telemetry} subscription: each subscription listens to the committed-batch stream
 * ({@link Addresses#COMMITTED}, as the WebSocket live feed does) with a {@link LiveFilter} from
 * its arguments, and queues at most {@code queueSize} matching samples while its client has not
 * asked for more (reactive-streams demand, which graphql-transport-ws turns into socket writes);
 * past that the oldest are dropped and the next event says how many. Ingest never waits for it.
 */
public final class LiveSubscriptions {

  /** Most samples in one event; a longer queue is sent as several. */
  static final int MAX_EVENT_SAMPLES = 1_000;

  /**
   * Most subscriptions open at once on one connection: each holds a queue of up to
   * {@code queueSize} samples, so this bounds what one client can make the gateway hold.
   */
  static final int MAX_PER_CONNECTION = 16;

  /** The GraphQL context key under which the endpoint passes the operation's WebSocket. */
  static final String SOCKET = "gateway.socket";

  private final Vertx vertx;
  private final int queueSize;
  private final Map<Object, AtomicInteger> open = new ConcurrentHashMap<>();

  public LiveSubscriptions(Vertx vertx, int queueSize) {
    this.vertx = vertx;
    this.queueSize = queueSize;
  }

  /** The subscription's data fetcher: a publisher of {@code LiveEvent}s; bad filters name the argument. */
  Publisher<Map<String, Object>> publisher(DataFetchingEnvironment env) {
    MultiMap args = MultiMap.caseInsensitiveMultiMap();
    env.getArguments().forEach((k, v) -> {
      if (v != null) {
        args.add(k, v.toString());
      }
    });
    LiveFilter filter = LiveFilter.fromQuery(args);
    Object socket = env.getGraphQlContext().get(SOCKET);
    AtomicInteger count = socket == null ? new AtomicInteger() : open.computeIfAbsent(socket, k -> new AtomicInteger());
    if (count.incrementAndGet() > MAX_PER_CONNECTION) {
      count.decrementAndGet();
      throw new ApiException(429, "too many subscriptions on this connection: at most "
          + MAX_PER_CONNECTION + " at once; complete one first");
    }
    return subscriber -> new Feed(filter, subscriber, count).start();
  }

  /** The connection closed: its subscriptions were cancelled with it. */
  void socketEnded(Object socket) {
    open.remove(socket);
  }

  /** Subscriptions open on connections now (all connections of this gateway instance). */
  int open() {
    return open.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** One subscription, confined to the context it was started on. */
  private final class Feed implements Subscription {

    private final LiveFilter filter;
    private final Subscriber<? super Map<String, Object>> subscriber;
    private final ArrayDeque<Sample> queue = new ArrayDeque<>();
    private final AtomicInteger openOnConnection;
    private Context context;
    private MessageConsumer<SampleBatch> consumer;
    private long demand;
    private long dropped;
    private boolean cancelled;

    Feed(LiveFilter filter, Subscriber<? super Map<String, Object>> subscriber, AtomicInteger openOnConnection) {
      this.filter = filter;
      this.subscriber = subscriber;
      this.openOnConnection = openOnConnection;
    }

    void start() {
      context = vertx.getOrCreateContext();
      context.runOnContext(v -> {
        consumer = vertx.eventBus().<SampleBatch>localConsumer(Addresses.COMMITTED, msg -> offer(msg.body()));
        subscriber.onSubscribe(this);
      });
    }

    private void offer(SampleBatch batch) {
      if (cancelled) {
        return;
      }
      for (Sample s : batch.samples()) {
        if (filter.matches(s)) {
          if (queue.size() == queueSize) {
            queue.removeFirst();
            dropped++;
          }
          queue.addLast(s);
        }
      }
      drain();
    }

    private void drain() {
      while (!cancelled && demand > 0 && !queue.isEmpty()) {
        List<Map<String, Object>> samples = new ArrayList<>(Math.min(queue.size(), MAX_EVENT_SAMPLES));
        while (!queue.isEmpty() && samples.size() < MAX_EVENT_SAMPLES) {
          samples.add(sample(queue.removeFirst()));
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("dropped", dropped);
        event.put("samples", samples);
        dropped = 0;
        demand--;
        subscriber.onNext(event);
      }
    }

    @Override
    public void request(long n) {
      context.runOnContext(v -> {
        if (n <= 0) {
          cancel();
          subscriber.onError(new IllegalArgumentException("reactive-streams 3.9: request(" + n + ")"));
          return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        drain();
      });
    }

    @Override
    public void cancel() {
      context.runOnContext(v -> {
        if (!cancelled) {
          openOnConnection.decrementAndGet();
        }
        cancelled = true;
        queue.clear();
        if (consumer != null) {
          consumer.unregister();
          consumer = null;
        }
      });
    }
  }

  /** The live feed's sample shape (REST's plus uuid), labels as {name, value} pairs. */
  static Map<String, Object> sample(Sample s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("uuid", s.gpu().uuid());
    o.put("timestamp", Timestamps.format(s.timestampMicros()));
    o.put("metric", s.metric());
    o.put("value", s.value());
    o.put("hostname", s.gpu().hostname());
    o.put("pod", s.pod());
    o.put("namespace", s.namespace());
    o.put("container", s.container());
    Labels labels = s.labels();
    List<Map<String, Object>> pairs = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      pairs.add(Map.of("name", labels.name(i), "value", labels.value(i)));
    }
    o.put("labels", pairs);
    return o;
  }
}
