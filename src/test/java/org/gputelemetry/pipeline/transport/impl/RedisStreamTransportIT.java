package org.gputelemetry.pipeline.transport.impl;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.gputelemetry.pipeline.config.TransportSettings;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.transport.BatchConsumer;
import org.gputelemetry.pipeline.transport.BusyException;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;
import org.gputelemetry.pipeline.transport.Transport;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.testutil.Poll;
import org.gputelemetry.pipeline.testutil.RedisServer;
import org.gputelemetry.pipeline.testutil.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the Redis Streams bridge does, against a real {@code redis-server} on 127.0.0.1:
 * competing collectors, claims, dead letters, the edge spool through outages and restarts, the
 * backlog bound, AUTH and TLS. Delivery, acknowledgement after commit and the busy contract are
 * the transport contract's, which runs on Redis as {@code RedisStreamTransportContractIT}. Streamer and collector sides run in one JVM here; the multi-process runs
 * (kill -9, Redis restarts under load) are {@code RedisBridgeIT}.
 */
class RedisStreamTransportIT {

  private static final List<Sample> SAMPLE = DcgmSampleFile.samples();
  private static Vertx vertx;
  private static RedisServer shared;

  @TempDir
  Path tmp;
  private String stream;
  private final List<Transport> opened = new ArrayList<>();
  private final List<RedisServer> servers = new ArrayList<>();
  private Redis raw;
  private PrometheusMeterRegistry registry;

  @BeforeAll
  static void startRedis() {
    vertx = Vertx.vertx();
    shared = RedisServer.shared();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void names(TestInfo info) {
    stream = "t-" + info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @AfterEach
  void close() {
    Collections.reverse(opened);
    opened.forEach(t -> await(t.close()));
    if (raw != null) {
      await(raw.close());
    }
    servers.forEach(RedisServer::close);
  }

  // ---------------------------------------------------------------------------------------- fixtures

  private JsonObject redisBlock(RedisServer server) {
    return new JsonObject().put("host", "127.0.0.1").put("port", server.port()).put("stream", stream)
        .put("claimIdle", "300ms").put("timeout", "2s").put("maxLen", 100_000);
  }

  private TransportSettings settings(JsonObject redis, Path spoolDir) {
    return TransportSettings.fromJson(new JsonObject().put("type", "redis").put("redis", redis)
        .put("spool", new JsonObject().put("dir", spoolDir.toString()).put("maxBytes", 64L << 20).put("segmentBytes", 1 << 20)));
  }

  private RedisStreamTransport open(TransportSettings settings, String id, String role) {
    RedisStreamTransport t = new RedisStreamTransport(vertx, settings, id, List.of(role), new PipelineMetrics(registry));
    opened.add(t);
    await(t.start());
    return t;
  }

  private RedisStreamTransport edge(JsonObject redis) {
    return open(settings(redis, tmp.resolve("spool")), "edge-0", "streamer");
  }

  private RedisStreamTransport collector(JsonObject redis, String id, BatchConsumer consumer) {
    RedisStreamTransport t = open(settings(redis, tmp.resolve("unused-" + id)), id, "collector");
    await(t.consume(consumer));
    return t;
  }

  private Redis raw(RedisServer server) {
    raw = Redis.createClient(vertx, "redis://127.0.0.1:" + server.port());
    return raw;
  }

  private static Response cmd(Redis r, Command c, Object... args) {
    return await(r.send(Request.cmd(c, args)), 10);
  }

  private static SampleBatch batch(long sequence, int rows) {
    int from = (int) ((sequence * rows) % (SAMPLE.size() - rows));
    return new SampleBatch("edge-0", sequence, sequence, SAMPLE.subList(from, from + rows));
  }

  /** A collector that commits at once and remembers every batch it got. */
  private static BatchConsumer recording(List<SampleBatch> got) {
    return b -> {
      got.add(b);
      return Future.succeededFuture();
    };
  }

  private static List<Long> sequences(List<SampleBatch> batches) {
    return batches.stream().map(SampleBatch::sequence).sorted().toList();
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  private long pending(Redis r) {
    return cmd(r, Command.XPENDING, stream, "collectors").get(0).toLong();
  }

  /** The batch sequences in the stream, in stream order. */
  private List<Long> streamOrder(Redis r) {
    List<Long> out = new ArrayList<>();
    for (RedisReplies.Entry e : RedisReplies.entries(cmd(r, Command.XRANGE, stream, "-", "+"))) {
      out.add(SampleBatchCodec.fromBytes(e.payload()).sequence());
    }
    return out;
  }

  private double metric(String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    var counter = search.counter();
    return counter == null ? search.gauge().value() : counter.count();
  }

  // ---------------------------------------------------------------------------------------- delivery

  @Test
  void everyBatchGoesToExactlyOneOfTwoCollectors() {
    List<SampleBatch> a = new CopyOnWriteArrayList<>();
    List<SampleBatch> b = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared), "c-a", recording(a));
    collector(redisBlock(shared), "c-b", recording(b));
    RedisStreamTransport edge = edge(redisBlock(shared));
    List<Future<Void>> sends = new ArrayList<>();
    for (long i = 1; i <= 300; i++) {
      sends.add(edge.send(batch(i, 5)));
    }
    await(Future.all(sends));
    Poll.until("all 300 batches consumed", 20, () -> a.size() + b.size() >= 300);

    List<SampleBatch> all = new ArrayList<>(a);
    all.addAll(b);
    assertEquals(range(1, 300), sequences(all), "each batch exactly once");
    assertFalse(a.isEmpty(), "both collectors took a share");
    assertFalse(b.isEmpty(), "both collectors took a share");
  }

  @Test
  void entriesADeadConsumerLeftPendingAreClaimedByAnother() {
    Redis r = raw(shared);
    List<SampleBatch> held = new CopyOnWriteArrayList<>();
    RedisStreamTransport dying = collector(redisBlock(shared), "c-dying", bt -> {
      held.add(bt);
      return Promise.<Void>promise().future(); // its store never commits
    });
    RedisStreamTransport edge = edge(redisBlock(shared));
    for (long i = 1; i <= 5; i++) {
      await(edge.send(batch(i, 20)));
    }
    Poll.until("the first collector holds all five", 10, () -> held.size() == 5);
    await(dying.close());
    opened.remove(dying);

    List<SampleBatch> rescued = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared), "c-rescuer", recording(rescued));
    Poll.until("claimed after claimIdle and acknowledged", 10, () -> rescued.size() == 5 && pending(r) == 0);
    assertEquals(range(1, 5), sequences(rescued));
    assertEquals(5.0, metric("telemetry.redis.claimed", null, null));
  }

  @Test
  void entriesAWorkingCollectorHoldsAreNotClaimedWhileItsStoreIsSlow() throws Exception {
    List<SampleBatch> slow = new CopyOnWriteArrayList<>();
    List<Promise<Void>> commits = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared), "c-slow", bt -> {
      slow.add(bt);
      Promise<Void> p = Promise.promise();
      commits.add(p);
      return p.future();
    });
    RedisStreamTransport edge = edge(redisBlock(shared));
    for (long i = 1; i <= 3; i++) {
      await(edge.send(batch(i, 20)));
    }
    Poll.until("the slow collector holds three", 10, () -> slow.size() == 3);
    List<SampleBatch> other = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared), "c-other", recording(other));

    Thread.sleep(6 * 300); // six claim periods: the holder's heartbeat keeps the entries its own

    assertEquals(0, other.size(), "nothing claimed from a collector that is alive");
    commits.forEach(Promise::complete);
    Poll.until("the slow store committed: acknowledged", 10, () -> pending(raw(shared)) == 0);
  }

  @Test
  void entryDeliveredTooOftenGoesToTheDeadLetterStream() throws Exception {
    Redis r = raw(shared);
    cmd(r, Command.XGROUP, "CREATE", stream, "collectors", "0", "MKSTREAM");
    Request add = Request.cmd(Command.XADD).arg(stream).arg("*").arg("b").arg(SampleBatchCodec.toBytes(batch(9, 3)));
    String id = await(r.send(add)).toString();
    cmd(r, Command.XREADGROUP, "GROUP", "collectors", "ghost-1", "COUNT", "1", "STREAMS", stream, ">");
    cmd(r, Command.XCLAIM, stream, "collectors", "ghost-2", "0", id); // a second delivery
    Thread.sleep(400); // idle past claimIdle

    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared).put("maxDeliveries", 2), "c-1", recording(got));

    Poll.until("moved to the dead-letter stream", 10, () -> cmd(r, Command.XLEN, stream + ":dead").toLong() == 1);
    List<String> fields = new ArrayList<>();
    cmd(r, Command.XRANGE, stream + ":dead", "-", "+").get(0).get(1).forEach(f -> fields.add(f.toString()));
    assertEquals(id, fields.get(fields.indexOf("id") + 1));
    assertEquals("max_deliveries", fields.get(fields.indexOf("reason") + 1));
    assertEquals(0, pending(r), "acknowledged in the main stream");
    assertTrue(got.isEmpty(), "not delivered a third time");
    assertEquals(1.0, metric("telemetry.redis.dead.letters", "reason", "max_deliveries"));
  }

  @Test
  void entriesCarryTheSendersClusterAndAnUnstampedEntryIsStillTaken() {
    Redis r = raw(shared);
    PipelineMetrics metrics = new PipelineMetrics(registry);
    TransportSettings central = settings(redisBlock(shared), tmp.resolve("unused-central"));
    RedisStreamTransport collector = new RedisStreamTransport(vertx, central, "c-1", List.of("collector"), metrics,
        new CrossClusterLatency("central", metrics));
    opened.add(collector);
    await(collector.start());
    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    await(collector.consume(recording(got)));
    RedisStreamTransport edge = new RedisStreamTransport(vertx, settings(redisBlock(shared), tmp.resolve("spool")), "edge-0",
        List.of("streamer"), metrics, new CrossClusterLatency("edge", metrics));
    opened.add(edge);
    await(edge.start());

    long before = CrossClusterLatency.nowMicros();
    await(edge.send(batch(1, 5)));
    // an entry as a sender older than the stamp writes it: the payload field alone
    cmd(r, Command.XADD, stream, "*", "b", Buffer.buffer(SampleBatchCodec.toBytes(batch(2, 5))));
    Poll.until("both entries consumed", 10, () -> got.size() == 2);
    assertEquals(List.of(1L, 2L), sequences(got));

    Response first = cmd(r, Command.XRANGE, stream, "-", "+", "COUNT", "1").get(0).get(1);
    List<String> fields = new ArrayList<>();
    first.forEach(f -> fields.add(f.toString()));
    assertEquals("edge", fields.get(fields.indexOf("c") + 1));
    long sent = Long.parseLong(fields.get(fields.indexOf("t") + 1));
    assertTrue(sent >= before && sent <= CrossClusterLatency.nowMicros(), "send time in epoch microseconds: " + sent);

    var latency = registry.find("cross.cluster.latency").gauges();
    assertEquals(1, latency.size(), "one series, for the stamped entry's cluster: " + latency);
    var gauge = latency.iterator().next();
    assertEquals("edge", gauge.getId().getTag("source_cluster"));
    assertEquals("central", gauge.getId().getTag("target_cluster"));
    assertTrue(gauge.value() >= 0 && gauge.value() < 10, "seconds from XADD to XREADGROUP on one host: " + gauge.value());
  }

  @Test
  void undecodableEntryGoesToTheDeadLetterStream() {
    Redis r = raw(shared);
    cmd(r, Command.XGROUP, "CREATE", stream, "collectors", "0", "MKSTREAM");
    cmd(r, Command.XADD, stream, "*", "b", "this is not a sample batch");
    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    collector(redisBlock(shared), "c-1", recording(got));

    Poll.until("moved to the dead-letter stream", 10, () -> cmd(r, Command.XLEN, stream + ":dead").toLong() == 1);
    assertEquals(0, pending(r));
    assertTrue(got.isEmpty());
    assertEquals(1.0, metric("telemetry.redis.dead.letters", "reason", "undecodable"));
  }

  @Test
  void streamIsTrimmedToAboutMaxLen() {
    Redis r = raw(shared);
    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    JsonObject redis = redisBlock(shared).put("maxLen", 1000);
    collector(redis, "c-1", recording(got));
    RedisStreamTransport edge = edge(redis);
    for (long i = 1; i <= 3000; i++) {
      await(edge.send(batch(i, 1)));
    }
    Poll.until("all consumed", 20, () -> got.size() >= 3000);
    long length = cmd(r, Command.XLEN, stream).toLong();
    assertTrue(length < 1200, "XADD MAXLEN ~ keeps the stream near 1000 entries, got " + length);
    assertEquals(range(1, 3000), sequences(got));
  }

  @Test
  void committedBatchesReachTheLiveFeedsOfOtherProcessesButNotTheirOwn() {
    RedisStreamTransport collector = open(settings(redisBlock(shared), tmp.resolve("c")), "central-a", "collector");
    RedisStreamTransport gateway = open(settings(redisBlock(shared), tmp.resolve("g")), "gateway-b", "gateway");
    List<SampleBatch> atGateway = new CopyOnWriteArrayList<>();
    List<Long> times = new CopyOnWriteArrayList<>();
    List<SampleBatch> atOrigin = new CopyOnWriteArrayList<>();
    await(gateway.receiveCommitted((b, t) -> {
      atGateway.add(b);
      times.add(t);
    }));
    await(collector.receiveCommitted((b, t) -> atOrigin.add(b)));

    // the subscription is asynchronous: share until the gateway hears one, then one more to check
    Poll.until("the gateway subscribed", 10, () -> {
      collector.shareCommitted(batch(1, 5), 1L);
      return !atGateway.isEmpty();
    });
    atGateway.clear();
    times.clear();
    SampleBatch committed = batch(2, 50);
    collector.shareCommitted(committed, 1_752_846_153_000_000L);

    Poll.until("the committed batch at the gateway", 10, () -> atGateway.contains(committed));
    assertEquals(1_752_846_153_000_000L, times.get(atGateway.indexOf(committed)));
    assertTrue(atOrigin.isEmpty(), "a process does not get back what it shared itself");
  }

  // ---------------------------------------------------------------------------------------- edge spool

  @Test
  void spoolsWhileRedisIsDownAndReplaysInOrderWhenItReturns() {
    RedisServer own = RedisServer.launch(null, null);
    servers.add(own);
    RedisStreamTransport edge = edge(redisBlock(own));
    await(edge.send(batch(1, 10)));
    own.stop();

    for (long i = 2; i <= 60; i++) {
      await(edge.send(batch(i, 10)), 15); // accepted: the spool holds them
    }
    assertTrue(edge.spooling());
    assertEquals(59.0, metric("telemetry.spool.batches", null, null), 1.0);
    assertFalse(edge.connected());

    own.start();
    Poll.until("the spool drained", 20, () -> !edge.spooling());
    await(edge.send(batch(61, 10)));
    assertEquals(range(1, 61), streamOrder(raw(own)), "replayed in order, then live again");
    assertEquals(59.0, metric("telemetry.spool.replayed", null, null));
    assertTrue(edge.connected());
  }

  @Test
  void spoolSurvivesARestartOfTheEdge() {
    RedisServer own = RedisServer.launch(null, null);
    servers.add(own);
    own.stop();
    RedisStreamTransport first = edge(redisBlock(own));
    for (long i = 1; i <= 20; i++) {
      await(first.send(batch(i, 10)), 15);
    }
    await(first.close());
    opened.remove(first);

    own.start();
    RedisStreamTransport second = edge(redisBlock(own));
    Poll.until("what the first run spooled is replayed by the second", 20, () -> !second.spooling());
    assertEquals(range(1, 20), streamOrder(raw(own)));
  }

  @Test
  void fullSpoolRefusesFurtherSendsAndLosesNothingItTook() {
    RedisServer own = RedisServer.launch(null, null);
    servers.add(own);
    own.stop();
    TransportSettings small = TransportSettings.fromJson(new JsonObject().put("type", "redis").put("redis", redisBlock(own))
        .put("spool", new JsonObject().put("dir", tmp.resolve("small").toString()).put("maxBytes", 1 << 20)
            .put("segmentBytes", 256 << 10)));
    RedisStreamTransport edge = open(small, "edge-0", "streamer");
    int accepted = 0;
    Throwable refusal = null;
    for (long i = 1; i <= 200 && refusal == null; i++) {
      try {
        await(edge.send(batch(i, 1000)), 15);
        accepted++;
      } catch (AssertionError e) {
        refusal = e.getCause();
      }
    }
    assertTrue(BusyException.isBusy(refusal), "a full spool refuses as busy: " + refusal);
    assertTrue(accepted > 10 && accepted < 200, "accepted " + accepted);

    own.start();
    Poll.until("drained", 20, () -> !edge.spooling());
    assertEquals(range(1, accepted), streamOrder(raw(own)), "everything accepted arrived; the refused batch was not taken");
  }

  @Test
  void spoolsInsteadOfLettingTrimmingCutEntriesNobodyRead() {
    Redis r = raw(shared);
    JsonObject redis = redisBlock(shared).put("maxLen", 1000);
    RedisStreamTransport edge = edge(redis);
    Poll.until("the edge creates the stream and group", 10, () -> cmd(r, Command.EXISTS, stream).toLong() == 1);
    for (long i = 1; i <= 1500; i++) {
      await(edge.send(batch(i, 1)));
    }
    assertTrue(edge.spooling(), "past 90% of maxLen unread, the edge spools");
    long length = cmd(r, Command.XLEN, stream).toLong();
    assertTrue(length <= 1000, "nothing unread was trimmed: " + length);

    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    collector(redis, "c-1", recording(got));
    Poll.until("collector caught up, spool replayed", 30, () -> got.size() >= 1500 && !edge.spooling());
    assertEquals(range(1, 1500), sequences(got), "every batch exactly once");
  }

  // ---------------------------------------------------------------------------------------- security

  @Test
  void authenticatesWithItsPasswordAndIsRefusedWithAWrongOne() {
    RedisServer guarded = RedisServer.launch("s3cret-pass", null);
    servers.add(guarded);
    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    collector(redisBlock(guarded).put("password", "s3cret-pass"), "c-1", recording(got));
    RedisStreamTransport good = edge(redisBlock(guarded).put("password", "s3cret-pass"));
    await(good.send(batch(1, 5)));
    Poll.until("delivered with AUTH", 10, () -> got.size() == 1);

    Path passwordFile = tmp.resolve("wrong-password");
    write(passwordFile, "not-the-password\n");
    RedisStreamTransport bad = open(settings(redisBlock(guarded).put("passwordFile", passwordFile.toString()),
        tmp.resolve("bad-spool")), "edge-bad", "streamer");
    await(bad.send(batch(2, 5)), 15);
    assertTrue(bad.spooling(), "refused by Redis: the batch waits in the spool");
    assertFalse(bad.connected());
  }

  @Test
  void speaksTlsWithTheConfiguredCaAndRefusesAServerItCannotVerify() throws Exception {
    TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("certs")));
    RedisServer tls = RedisServer.launch(null, new RedisServer.Tls(certs.cert(), certs.key(), certs.ca()));
    servers.add(tls);
    // a JVM's first TLS handshakes are slow on a small machine: allow more than the other tests
    Function<JsonObject, JsonObject> withTls = t -> redisBlock(tls).put("timeout", "5s").put("tls", t.put("enabled", true));
    List<SampleBatch> got = new CopyOnWriteArrayList<>();
    collector(withTls.apply(new JsonObject().put("caCert", certs.ca().toString())), "c-1", recording(got));

    RedisStreamTransport byPath = open(settings(withTls.apply(new JsonObject().put("caCert", certs.ca().toString())),
        tmp.resolve("s1")), "edge-1", "streamer");
    await(byPath.send(batch(1, 5)));
    RedisStreamTransport byPem = open(settings(withTls.apply(new JsonObject().put("caCert", Files.readString(certs.ca()))),
        tmp.resolve("s2")), "edge-2", "streamer");
    await(byPem.send(batch(2, 5)));
    RedisStreamTransport unverified = open(settings(withTls.apply(new JsonObject().put("skipVerify", true)),
        tmp.resolve("s3")), "edge-3", "streamer");
    await(unverified.send(batch(3, 5)));
    Poll.until("CA file, CA text and skipVerify all deliver over TLS", 10, () -> got.size() == 3);
    assertFalse(byPath.spooling() || byPem.spooling() || unverified.spooling());

    RedisStreamTransport wrongCa = open(settings(withTls.apply(new JsonObject().put("caCert", certs.otherCa().toString())),
        tmp.resolve("s4")), "edge-4", "streamer");
    await(wrongCa.send(batch(4, 5)), 15);
    assertTrue(wrongCa.spooling(), "a server the CA did not sign is not trusted");
    assertFalse(wrongCa.connected());
    Set<Long> sequences = ConcurrentHashMap.newKeySet();
    got.forEach(b -> sequences.add(b.sequence()));
    assertEquals(Set.of(1L, 2L, 3L), sequences);
  }

  private static void write(Path p, String s) {
    try {
      Files.writeString(p, s);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
