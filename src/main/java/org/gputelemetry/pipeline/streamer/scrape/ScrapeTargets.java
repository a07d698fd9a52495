package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes a set of targets, each every {@link ScrapeSettings#interval()}, with at most
 * {@link ScrapeSettings#concurrency()} scrapes in flight; a due target waits in a FIFO queue for a
 * free slot. Scrapes run at a fixed rate (the next one is due an interval after the previous one
 * started, first ones spread over the interval by URL so a fleet does not fire at once). A failing
 * target is retried after interval × 2^(failures−1), capped at {@link ScrapeSettings#backoffMax()},
 * and back on its interval after one success.
 *
 * <p>Staleness: per target it remembers when each GPU was last seen; a GPU absent from the latest
 * successful scrape, or of a target that is down, is stale (reported once per transition through
 * {@link ScrapeListener#gpusStale}); one not seen for {@link ScrapeSettings#forgetAfter()} is
 * forgotten, and at most {@value #MAX_GPUS_PER_TARGET} are remembered per target. Each target has
 * a {@link SeriesBudget} of {@link ScrapeSettings#maxSeriesPerTarget()} series.
 *
 * <p>All scheduling runs on the Vert.x context it was created on; {@link #setTargets} and
 * {@link #stop} may be called from any thread. {@link #snapshot()} is thread-safe and never
 * blocks: it reads the immutable {@link TargetHealth} each target publishes after each scrape.
 */
public final class ScrapeTargets {

  static final int MAX_GPUS_PER_TARGET = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeTargets.class);

  private final Vertx vertx;
  private final Context context;
  private final TargetScraper scraper;
  private final ScrapeSettings settings;
  private final ScrapeListener listener;
  private final Map<String, State> states = new LinkedHashMap<>();
  private final Map<String, State> published = new ConcurrentHashMap<>();
  private final ArrayDeque<State> waiting = new ArrayDeque<>();
  private int inFlight;
  private int maxInFlight;
  private boolean stopped;

  private final class State {
    final ScrapeTarget target;
    final Map<String, Long> lastSeen = new LinkedHashMap<>();
    final Set<String> stale = new LinkedHashSet<>();
    final SeriesBudget series = new SeriesBudget(settings.maxSeriesPerTarget(), settings.forgetAfter().toNanos() / 1000);
    long timerId = -1;
    boolean queued;
    boolean running;
    boolean removed;
    long dueNanos;
    int consecutiveFailures;
    long scrapes;
    long failures;
    volatile TargetHealth health;

    State(ScrapeTarget target) {
      this.target = target;
      this.health = new TargetHealth(target.url(), target.hostname(), TargetHealth.UNKNOWN, -1, null, 0, 0, 0, 0, 0, 0,
          List.of());
    }
  }

  /** Must be called on the Vert.x context that is to run the scrapes (a verticle's). */
  public ScrapeTargets(Vertx vertx, TargetScraper scraper, ScrapeSettings settings, ScrapeListener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.scraper = scraper;
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * Replaces the set of targets (a membership change gives this streamer a new share): new ones
   * start, removed ones stop after any scrape in flight, kept ones keep their state and schedule.
   * The future completes once {@link #snapshot()} shows the new set.
   */
  public Future<Void> setTargets(Collection<ScrapeTarget> targets) {
    List<ScrapeTarget> copy = List.copyOf(targets);
    Promise<Void> applied = Promise.promise();
    context.runOnContext(v -> {
      apply(copy);
      applied.complete();
    });
    return applied.future();
  }

  /** Stops scheduling; scrapes in flight finish but are not reported. */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      for (State s : states.values()) {
        s.removed = true;
        if (s.timerId >= 0) {
          vertx.cancelTimer(s.timerId);
        }
      }
      states.clear();
      waiting.clear();
      published.clear();
      done.complete();
    });
    return done.future();
  }

  /** Every target's latest health, sorted by URL. */
  public List<TargetHealth> snapshot() {
    List<TargetHealth> out = new ArrayList<>();
    for (State s : published.values()) {
      out.add(s.health);
    }
    out.sort(Comparator.comparing(TargetHealth::url));
    return out;
  }

  /** {@code {"targets": [...]}}, the body of {@code GET /api/v1/targets}. */
  public JsonObject toJson() {
    JsonArray a = new JsonArray();
    snapshot().forEach(h -> a.add(h.toJson()));
    return new JsonObject().put("targets", a);
  }

  /** The most scrapes that were in flight at once (for tests and the benchmark). */
  public int maxInFlight() {
    return maxInFlight;
  }

  private void apply(List<ScrapeTarget> targets) {
    if (stopped) {
      return;
    }
    Map<String, ScrapeTarget> wanted = new LinkedHashMap<>();
    for (ScrapeTarget t : targets) {
      wanted.put(t.url(), t);
    }
    for (Iterator<Map.Entry<String, State>> it = states.entrySet().iterator(); it.hasNext(); ) {
      State s = it.next().getValue();
      ScrapeTarget w = wanted.get(s.target.url());
      if (w == null || !w.equals(s.target)) { // gone, or its hostname changed: start it afresh
        s.removed = true;
        if (s.timerId >= 0) {
          vertx.cancelTimer(s.timerId);
        }
        waiting.remove(s);
        published.remove(s.target.url());
        it.remove();
      }
    }
    long intervalNanos = settings.interval().toNanos();
    for (ScrapeTarget t : wanted.values()) {
      if (!states.containsKey(t.url())) {
        State s = new State(t);
        states.put(t.url(), s);
        published.put(t.url(), s);
        long offset = Math.floorMod(t.url().hashCode() * 0x9E3779B9L, intervalNanos);
        s.dueNanos = System.nanoTime() + offset;
        schedule(s, offset / 1_000_000);
      }
    }
  }

  private void schedule(State s, long delayMs) {
    s.timerId = vertx.setTimer(Math.max(1, delayMs), id -> {
      s.timerId = -1;
      due(s);
    });
  }

  private void due(State s) {
    if (s.removed || stopped || s.running || s.queued) {
      return;
    }
    if (inFlight < settings.concurrency()) {
      start(s);
    } else {
      s.queued = true;
      waiting.add(s);
    }
  }

  private void start(State s) {
    s.running = true;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    long startedNanos = System.nanoTime();
    scraper.scrape(s.target).onComplete(ar -> {
      s.running = false;
      inFlight--;
      if (!s.removed && !stopped) {
        s.scrapes++;
        if (ar.succeeded()) {
          succeeded(s, ar.result());
        } else {
          failed(s, TargetScraper.classify(ar.cause(), settings.timeout().toMillis()));
        }
        long next;
        if (s.consecutiveFailures == 0) {
          s.dueNanos = Math.max(startedNanos, s.dueNanos) + settings.interval().toNanos();
          next = Math.max(0, (s.dueNanos - System.nanoTime()) / 1_000_000);
        } else {
          next = backoffMillis(s.consecutiveFailures);
          s.dueNanos = System.nanoTime() + next * 1_000_000;
        }
        schedule(s, next);
      }
      drain();
    });
  }

  private void drain() {
    while (inFlight < settings.concurrency() && !waiting.isEmpty()) {
      State next = waiting.poll();
      next.queued = false;
      if (!next.removed) {
        start(next);
      }
    }
  }

  long backoffMillis(int failures) {
    long interval = settings.interval().toMillis();
    int shift = Math.min(failures - 1, 30);
    long delay = interval << shift;
    return delay <= 0 || delay > settings.backoffMax().toMillis() ? settings.backoffMax().toMillis() : delay;
  }

  private void succeeded(State s, ScrapeResult scraped) {
    ScrapeResult r = s.series.admit(scraped);
    s.consecutiveFailures = 0;
    for (String uuid : r.gpuUuids()) {
      s.lastSeen.put(uuid, r.startedMicros());
    }
    Set<String> newlyStale = new LinkedHashSet<>();
    for (String uuid : s.lastSeen.keySet()) {
      if (!r.gpuUuids().contains(uuid) && s.stale.add(uuid)) {
        newlyStale.add(uuid);
      }
    }
    s.stale.removeAll(r.gpuUuids());
    forget(s, r.startedMicros());
    publish(s, TargetHealth.UP, r.startedMicros(), null, r.samples().size(), r.rejects().total(),
        r.durationNanos() / 1e9);
    notify(s, () -> listener.scraped(r));
    if (!newlyStale.isEmpty()) {
      notify(s, () -> listener.gpusStale(s.target, newlyStale));
    }
  }

  /** A listener's fault must not stop the schedule: logged, and the target keeps its timer. */
  private static void notify(State s, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.error("scrape listener failed for target {}", s.target.url(), e);
    }
  }

  private void failed(State s, ScrapeException e) {
    s.consecutiveFailures++;
    s.failures++;
    long now = org.gputelemetry.pipeline.model.Timestamps.nowMicros();
    Set<String> newlyStale = new LinkedHashSet<>();
    for (String uuid : s.lastSeen.keySet()) {
      if (s.stale.add(uuid)) {
        newlyStale.add(uuid);
      }
    }
    forget(s, now);
    publish(s, TargetHealth.DOWN, now, e.getMessage(), 0, 0, 0);
    notify(s, () -> listener.failed(s.target, e));
    if (!newlyStale.isEmpty()) {
      notify(s, () -> listener.gpusStale(s.target, newlyStale));
    }
  }

  private void forget(State s, long nowMicros) {
    long cutoff = nowMicros - settings.forgetAfter().toNanos() / 1000;
    for (Iterator<Map.Entry<String, Long>> it = s.lastSeen.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (e.getValue() < cutoff || s.lastSeen.size() > MAX_GPUS_PER_TARGET) {
        s.stale.remove(e.getKey());
        it.remove();
      }
    }
  }

  private void publish(State s, String health, long scrapeMicros, String error, int samples, int rejects,
                       double seconds) {
    List<TargetHealth.GpuPresence> gpus = new ArrayList<>(s.lastSeen.size());
    s.lastSeen.forEach((uuid, seen) -> gpus.add(new TargetHealth.GpuPresence(uuid, seen, s.stale.contains(uuid))));
    s.health = new TargetHealth(s.target.url(), s.target.hostname(), health, scrapeMicros, error, samples, rejects,
        seconds, s.scrapes, s.failures, s.consecutiveFailures, List.copyOf(gpus));
  }
}
