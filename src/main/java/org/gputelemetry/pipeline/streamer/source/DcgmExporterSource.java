package org.gputelemetry.pipeline.streamer.source;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeException;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeListener;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeRejectReason;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeResult;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.streamer.scrape.ScrapeTargets;
import org.gputelemetry.pipeline.streamer.scrape.ScrapedGpu;
import org.gputelemetry.pipeline.streamer.scrape.ScrapedSample;
import org.gputelemetry.pipeline.streamer.scrape.TargetHealth;
import org.gputelemetry.pipeline.streamer.scrape.TargetScraper;
import org.gputelemetry.pipeline.transport.Addresses;

/**
 * The {@code dcgm-exporter} source: scrapes dcgm-exporter endpoints over HTTP
 * ({@link ScrapeTargets}: interval, timeout, bounded concurrency, backoff) and puts their samples
 * into the streamer's ring. Several streamers split the targets by URL with the same share test
 * as GPUs (so each target is scraped by exactly one streamer); the share is re-read every
 * {@value #SHARE_CHECK_MS} ms, so a membership change moves targets within a second.
 *
 * <p>Everything runs on the verticle's event loop, which must not block: when the ring is full a
 * scrape's samples wait in a pending queue drained by a timer. That queue holds at most
 * {@code bufferSize} samples; a scrape arriving while it is over that is dropped whole and counted
 * ({@code dropped} in the status): the transport or store is slower than the fleet.
 *
 * <p>Each target's status is published every interval (at least 1 s, at most 5 s) on
 * {@link Addresses#SCRAPE_TARGETS}, for the gateway's {@code GET /api/v1/targets}, and handed to the
 * transport for gateways in other processes (the clustered transport shares it; others do not).
 */
public final class DcgmExporterSource implements TelemetrySource {

  static final long SHARE_CHECK_MS = 1_000;
  private static final int MAX_CACHED_GPUS = 65_536;

  private final List<ScrapeTarget> allTargets;
  private final ScrapeSettings settings;
  private final String instanceId;
  private final int pendingLimit;
  private final Consumer<JsonObject> shared;
  private final ArrayDeque<Sample> pending = new ArrayDeque<>();
  private final Map<ScrapedGpu, Gpu> gpus = new IdentityHashMap<>();
  private final Map<String, Integer> up = new ConcurrentHashMap<>();
  private final Map<ScrapeRejectReason, Counter> rejectCounters = new EnumMap<>(ScrapeRejectReason.class);
  private Context context;
  private TargetScraper scraper;
  private ScrapeTargets targets;
  private Set<String> owned = Set.of();
  private long shareTimer = -1;
  private long publishTimer = -1;
  private long drainTimer = -1;
  private volatile boolean stopped;
  private volatile long emitted;
  private volatile long dropped;

  /**
   * @param pendingLimit most samples waiting for room in the ring (the streamer's bufferSize)
   * @param shared where the status reports also go for other processes (the transport's shareTargets)
   */
  public DcgmExporterSource(List<ScrapeTarget> targets, ScrapeSettings settings, String instanceId, int pendingLimit,
                            Consumer<JsonObject> shared) {
    this.shared = shared;
    this.allTargets = List.copyOf(targets);
    this.settings = settings;
    this.instanceId = instanceId;
    this.pendingLimit = pendingLimit;
  }

  @Override
  public String type() {
    return "dcgm-exporter";
  }

  @Override
  public Future<Void> start(Context context) {
    this.context = context;
    for (ScrapeRejectReason r : ScrapeRejectReason.values()) {
      rejectCounters.put(r, context.metrics().scrapeRejected(r.label().replace('-', '_')));
    }
    scraper = new TargetScraper(context.vertx(), settings);
    targets = new ScrapeTargets(context.vertx(), scraper, settings, new Listener());
    long publishMs = Math.max(1_000, Math.min(5_000, settings.interval().toMillis()));
    shareTimer = context.vertx().setPeriodic(SHARE_CHECK_MS, id -> applyShare());
    publishTimer = context.vertx().setPeriodic(publishMs, id -> publish(publishMs));
    return applyShare();
  }

  /** The targets of the current share; scrapes start, stop or stay as it changes. */
  private Future<Void> applyShare() {
    if (stopped) {
      return Future.succeededFuture();
    }
    Predicate<String> share = context.share().get();
    List<ScrapeTarget> mine = new ArrayList<>();
    Set<String> urls = new LinkedHashSet<>();
    for (ScrapeTarget t : allTargets) {
      if (share.test(t.url())) {
        mine.add(t);
        urls.add(t.url());
      }
    }
    if (urls.equals(owned)) {
      return Future.succeededFuture();
    }
    for (String url : owned) {
      if (!urls.contains(url)) {
        up.remove(url);
        context.metrics().removeScrapeTarget(url);
      }
    }
    for (String url : urls) {
      if (!owned.contains(url)) {
        up.put(url, 0);
        context.metrics().scrapeTargetUp(url, () -> up.getOrDefault(url, 0));
      }
    }
    owned = Set.copyOf(urls);
    return targets.setTargets(mine);
  }

  private void publish(long publishMs) {
    if (stopped) {
      return;
    }
    JsonObject report = statusMessage(publishMs * 3);
    context.vertx().eventBus().publish(Addresses.SCRAPE_TARGETS, report);
    shared.accept(report);
  }

  /** What the gateway keeps: this streamer's targets, valid for {@code ttlMillis}. */
  JsonObject statusMessage(long ttlMillis) {
    JsonArray list = new JsonArray();
    for (TargetHealth h : targets.snapshot()) {
      list.add(h.toJson().put("streamer", instanceId));
    }
    return new JsonObject().put("instance", instanceId).put("ttlMillis", ttlMillis).put("targets", list);
  }

  private final class Listener implements ScrapeListener {

    @Override
    public void scraped(ScrapeResult r) {
      up.put(r.target().url(), 1);
      context.metrics().scrapeDuration.record(r.durationNanos(), TimeUnit.NANOSECONDS);
      context.metrics().scrapeSamples.increment(r.samples().size());
      r.rejects().counts().forEach((reason, n) -> rejectCounters.get(reason).increment(n));
      if (pending.size() > pendingLimit) {
        dropped += r.samples().size();
        return;
      }
      if (gpus.size() > MAX_CACHED_GPUS) {
        gpus.clear();
      }
      for (ScrapedSample s : r.samples()) {
        pending.add(s.toSample(gpus.computeIfAbsent(s.gpu(), ScrapedGpu::toGpu)));
      }
      drain();
    }

    @Override
    public void failed(ScrapeTarget target, ScrapeException error) {
      up.put(target.url(), 0);
      context.metrics().scrapeErrors.increment();
    }
  }

  /** Moves pending samples into the ring; while it is full, tries again shortly (never blocks the loop). */
  private void drain() {
    long n = emitted;
    Sample s;
    while ((s = pending.peek()) != null && context.ring().relaxedOffer(s)) {
      pending.poll();
      n++;
    }
    emitted = n;
    if (!pending.isEmpty() && drainTimer < 0 && !stopped) {
      drainTimer = context.vertx().setTimer(1, id -> {
        drainTimer = -1;
        drain();
      });
    }
  }

  @Override
  public String describe() {
    return allTargets.size() + " dcgm-exporter targets scraped every " + settings.interval().toMillis()
        + "ms (timeout " + settings.timeout().toMillis() + "ms, " + settings.concurrency() + " at once)";
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

  /** Targets in this streamer's share, how many are up, and samples dropped because the ring stayed full. */
  @Override
  public JsonObject status() {
    long upNow = up.values().stream().filter(v -> v == 1).count();
    return new JsonObject().put("targets", allTargets.size()).put("targetsOwned", up.size()).put("targetsUp", upNow)
        .put("samplesDropped", dropped);
  }

  /** The health of this streamer's targets (for tests and the benchmark). */
  public List<TargetHealth> health() {
    return targets == null ? List.of() : targets.snapshot();
  }

  @Override
  public void stop() {
    stopped = true;
    if (context != null) {
      context.vertx().cancelTimer(shareTimer);
      context.vertx().cancelTimer(publishTimer);
      targets.stop().onComplete(v -> scraper.close());
    }
  }

  @Override
  public void await(long millis) {
    // nothing of its own to wait for: scrapes run on the event loop and stop with it
  }
}
