package org.gputelemetry.pipeline.store.postgres;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gputelemetry.pipeline.collector.CollectorVerticle;
import org.gputelemetry.pipeline.config.CollectorSettings;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.gateway.GatewayVerticle;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.ops.OpsEndpoints;
import org.gputelemetry.pipeline.ops.PipelineMetrics;
import org.gputelemetry.pipeline.ops.Readiness;
import org.gputelemetry.pipeline.store.DeadLetter;
import org.gputelemetry.pipeline.store.StoreFailure;
import org.gputelemetry.pipeline.transport.Transports;
import org.gputelemetry.pipeline.transport.impl.LocalTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Poison samples on real PostgreSQL, built directly (no CSV reader in front): text with a NUL
 * byte (in a new GPU's hostname, in a known GPU's changed hostname, in a metric name, in a pod)
 * and times outside the partitioned years. The collector stores every good sample of the batch,
 * acknowledges it, and sets the poison aside in {@code dead_letters}, where the gateway lists it.
 */
class PostgresPoisonSampleIT {

  private static final long NOW = Timestamps.toMicros(Instant.parse("2025-07-18T20:00:00Z"));
  private static final Gpu A = new Gpu("GPU-A", 0, "nvidia0", "H100", "host-a");
  private static final Gpu B = new Gpu("GPU-B", 1, "nvidia1", "H100", "host-a");

  private final Vertx vertx = Vertx.vertx();
  private final StoreFixture db = new StoreFixture(vertx, "poison");

  @AfterEach
  void tearDown() {
    db.close();
    await(vertx.close());
  }

  private static Sample sample(Gpu gpu, String metric, long ts, double value) {
    return new Sample(gpu, metric, ts, value, null, null, null);
  }

  @Test
  void aBatchWithPoisonSamplesStoresTheGoodOnesAndDeadLettersThePoison() {
    PostgresTelemetryStore store = db.started();
    Transports.registerCodec(vertx);
    LocalTransport transport = new LocalTransport(vertx, Duration.ofSeconds(30));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PipelineMetrics metrics = new PipelineMetrics(registry);
    await(vertx.deployVerticle(new CollectorVerticle(new CollectorSettings(1, 5000, Duration.ofMillis(10), 100_000),
        store, transport, metrics, Future.succeededFuture())));
    // GPU-A is known before the poison arrives, so its changed identity goes through the catalogue update
    await(transport.send(new SampleBatch("edge", 0, NOW, List.of(sample(A, "DCGM_FI_DEV_GPU_UTIL", NOW - 1, 1)))));

    List<Sample> good = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      good.add(sample(i % 2 == 0 ? A : B, i % 3 == 0 ? "DCGM_FI_DEV_GPU_TEMP" : "DCGM_FI_DEV_GPU_UTIL", NOW + i, i));
    }
    // the last day the table is partitioned for is still storable
    good.add(sample(B, "DCGM_FI_DEV_GPU_UTIL", Timestamps.toMicros(Instant.parse("9999-12-31T12:00:00Z")), 7));
    List<Sample> poison = List.of(
        sample(new Gpu("GPU-NUL", 2, "nvidia2", "H100", "host\u0000evil"), "DCGM_FI_DEV_GPU_UTIL", NOW, 1),
        sample(B, "DCGM\u0000FI", NOW + 501, 3),
        new Sample(B, "DCGM_FI_DEV_GPU_UTIL", NOW + 502, 4, "c", "pod\u0000", "ns"),
        sample(B, "DCGM_FI_DEV_GPU_UTIL", Timestamps.toMicros(Instant.parse("0000-06-01T00:00:00Z")), 5),
        sample(B, "DCGM_FI_DEV_GPU_UTIL", Timestamps.toMicros(Instant.parse("+290000-01-01T00:00:00Z")), 6),
        sample(B, "DCGM_FI_DEV_GPU_UTIL", Timestamps.toMicros(Instant.parse("-290000-01-01T00:00:00Z")), 7),
        // a known GPU's identity changed to one PostgreSQL cannot hold; last of its GPU in the batch, as a
        // GPU's latest identity in a write is the one the catalogue takes (an earlier one is overridden)
        sample(new Gpu("GPU-A", 0, "nvidia0", "H100", "host-a\u0000"), "DCGM_FI_DEV_GPU_UTIL", NOW + 500, 2));
    List<Sample> batch = new ArrayList<>(good);
    int[] at = {3, 20, 50, 77, 90, 101, 101};
    for (int i = 0; i < poison.size(); i++) {
      batch.add(at[i] + i, poison.get(i));
    }

    await(transport.send(new SampleBatch("edge", 1, NOW, batch)), 60);

    assertEquals(1 + good.size(), db.count("SELECT count(*) FROM samples"), "every good sample stored");
    assertEquals(poison.size(), db.count("SELECT count(*) FROM dead_letters"));
    assertEquals(List.of("GPU-A", "GPU-B"), db.strings("SELECT uuid FROM gpus ORDER BY uuid"), "no catalogue row for poison");
    assertEquals(List.of("host-a", "host-a"), db.strings("SELECT hostname FROM gpus ORDER BY uuid"));
    assertEquals((double) poison.size(), registry.get("telemetry.store.dead.letters").counter().count());

    List<DeadLetter> letters = await(store.deadLetters(100));
    Comparator<Sample> byTime = Comparator.comparingLong(Sample::timestampMicros);
    assertEquals(poison.stream().sorted(byTime).toList(),
        letters.stream().map(DeadLetter::sample).sorted(byTime).toList(), "kept as they arrived, NUL bytes and all");
    for (DeadLetter d : letters) {
      boolean nul = d.sample().toString().contains("\u0000");
      assertTrue(nul ? d.reason().contains("SQLSTATE 22021") : d.reason().contains("outside the years 1 to 9999"),
          d.reason());
    }

    // a poison sample written on its own is a content refusal, not an outage
    Throwable refused = await(store.write(List.of(poison.get(0))).map(v -> (Throwable) null).otherwise(e -> e));
    assertTrue(StoreFailure.isContent(refused), String.valueOf(refused));

    GatewayVerticle gateway = new GatewayVerticle(GatewaySettings.fromJson(new JsonObject().put("port", 0)
        .put("host", "127.0.0.1")), store, metrics, new OpsEndpoints(new Readiness(vertx), registry));
    await(vertx.deployVerticle(gateway));
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> listed = await(client.get(gateway.port(), "127.0.0.1", "/api/v1/dead-letters?limit=3").send());
    assertEquals(200, listed.statusCode(), listed.bodyAsString());
    JsonObject body = listed.bodyAsJsonObject();
    assertEquals(3, body.getInteger("count"));
    JsonObject newest = body.getJsonArray("dead_letters").getJsonObject(0);
    assertTrue(newest.getString("reason").length() > 0);
    assertTrue(newest.getJsonObject("sample").containsKey("timestamp_micros"), newest.encode());
    assertEquals(poison.size(), await(client.get(gateway.port(), "127.0.0.1", "/api/v1/dead-letters").send())
        .bodyAsJsonObject().getInteger("count"));
    HttpResponse<Buffer> bad = await(client.get(gateway.port(), "127.0.0.1", "/api/v1/dead-letters?limit=0").send());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.bodyAsJsonObject().getString("error").contains("'limit'"), bad.bodyAsString());
  }

  @Test
  void theDeadLetterTableKeepsOnlyTheNewest() {
    PostgresTelemetryStore store = db.started();
    List<DeadLetter> letters = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      letters.add(new DeadLetter(NOW + i, "r" + i, sample(A, "m\u0000", i, i)));
    }
    for (int round = 0; round < PostgresDeadLetters.KEEP / 50 + 2; round++) {
      await(store.deadLetter(letters));
    }
    assertEquals(PostgresDeadLetters.KEEP, db.count("SELECT count(*) FROM dead_letters"));
    assertEquals("r49", await(store.deadLetters(1)).get(0).reason());
  }
}
