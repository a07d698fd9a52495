package org.gputelemetry.pipeline.streamer.source;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.simulate.FleetConfig;
import org.gputelemetry.pipeline.simulate.FleetSimulator;
import org.jctools.queues.MessagePassingQueue;

/**
 * The {@code simulate} source: a seeded simulated fleet ({@link FleetSimulator}) ticking once per
 * interval on its own thread, every sample stamped with the processing time. Every streamer
 * instance simulates the whole fleet and reports its share: every GPU advances each tick, only
 * owned ones are reported, so a membership change keeps each series continuous and disjoint
 * shares add up to the fleet. A full ring makes the thread wait; when that puts it more than an
 * interval behind, the missed ticks are skipped (never bursted) and counted. Never finishes.
 */
public final class SimulatedFleetSource implements TelemetrySource {

  private static final long MIN_PARK_NANOS = 50_000;
  private static final long MAX_PARK_NANOS = 2_000_000;

  private final FleetSimulator fleet;
  private final long intervalNanos;
  private Context context;
  private Thread thread;
  private volatile boolean stopped;
  private volatile long emitted;
  private volatile long ticks;
  private volatile long ticksSkipped;

  public SimulatedFleetSource(FleetConfig config) {
    this.fleet = FleetSimulator.of(config);
    this.intervalNanos = config.intervalMicros() * 1_000;
  }

  @Override
  public String type() {
    return "simulate";
  }

  @Override
  public Future<Void> start(Context context) {
    bind(context);
    thread = new Thread(this::run, "streamer-simulator");
    thread.setDaemon(true);
    thread.start();
    return Future.succeededFuture();
  }

  /** Where {@link #tick} puts samples; {@link #start} without the thread (tests tick by hand). */
  void bind(Context context) {
    this.context = context;
  }

  @Override
  public String describe() {
    FleetConfig c = fleet.config();
    return "a simulated fleet of " + c.gpus() + " GPUs on " + c.hosts() + " hosts, " + c.metrics().size()
        + " metrics each every " + c.intervalMicros() / 1_000 + "ms, seed " + c.seed();
  }

  @Override
  public boolean finite() {
    return false;
  }

  @Override
  public boolean exhausted() {
    return false;
  }

  @Override
  public long emitted() {
    return emitted;
  }

  /** Ticks made and ticks skipped because the streamer fell behind. */
  @Override
  public JsonObject status() {
    return new JsonObject().put("gpus", fleet.config().gpus()).put("ticks", ticks).put("ticksSkipped", ticksSkipped);
  }

  @Override
  public void stop() {
    stopped = true;
  }

  @Override
  public void await(long millis) throws InterruptedException {
    if (thread != null) {
      thread.join(millis);
    }
  }

  private void run() {
    long next = System.nanoTime();
    while (!stopped) {
      long now = System.nanoTime();
      if (now < next) {
        LockSupport.parkNanos(Math.min(next - now, 100_000_000L));
        continue;
      }
      long behind = now - next;
      if (behind >= intervalNanos) {
        // the ring was full for over an interval: catching up in a burst would only fill it again
        long skipped = behind / intervalNanos;
        ticksSkipped += skipped;
        context.metrics().sourceTicksSkipped.increment(skipped);
        next += skipped * intervalNanos;
      }
      tick();
      next += intervalNanos;
    }
  }

  /** One tick of the fleet into the ring, for the GPUs the current share owns; waits while the ring is full. */
  void tick() {
    Predicate<String> owns = context.share().get();
    MessagePassingQueue<Sample> ring = context.ring();
    long[] count = {emitted};
    fleet.tick(Timestamps.nowMicros(), gpu -> owns.test(gpu.uuid()), sample -> {
      for (long park = MIN_PARK_NANOS; !ring.relaxedOffer(sample); park = Math.min(park * 2, MAX_PARK_NANOS)) {
        if (stopped) {
          return; // shutting down: what is left of this tick is not sent
        }
        LockSupport.parkNanos(park);
      }
      count[0]++;
    });
    emitted = count[0];
    ticks++;
  }
}
