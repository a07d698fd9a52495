package org.gputelemetry.pipeline.testutil;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.ops.PrometheusMetricsFactory;
import org.gputelemetry.pipeline.store.TelemetryStore;

/** Boots the real main verticle from a shipped descriptor, with test overrides merged in. */
public final class Pipelines {

  private Pipelines() {
  }

  /** A Vert.x instance with metrics on, as {@code java -jar} starts it (see PrometheusMetricsFactory). */
  public static Vertx vertxWithMetrics() {
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(PrometheusMetricsFactory.defaults()))
        .withMetrics(new PrometheusMetricsFactory()).build();
  }

  /**
   * The all-in-one descriptor with a live replay (loop, processing timestamps) at {@code rowsPerSecond}
   * in total, and the gateway on a free loopback port.
   */
  public static JsonObject liveAllInOne(int rowsPerSecond) {
    return merge(descriptor("all-in-one.json"), new JsonObject()
        .put("streamer", new JsonObject().put("loopMode", true).put("timestampMode", "processing")
            .put("rate", Math.max(1, rowsPerSecond / 2)).put("workers", 2))
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
  }

  /**
   * The all-in-one descriptor replaying {@code csvPath} (null: the bundled sample) once, flat out,
   * with the file's own timestamps, and the gateway on a free loopback port.
   */
  public static JsonObject onePassAllInOne(String csvPath) {
    JsonObject streamer = new JsonObject().put("loopMode", false).put("timestampMode", "source").put("rate", 0);
    if (csvPath != null) {
      streamer.put("csvPath", csvPath);
    }
    return merge(descriptor("all-in-one.json"), new JsonObject().put("streamer", streamer)
        .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1")));
  }

  /** {@code descriptor} with the collector's store on {@code database} of the embedded {@code server}. */
  public static JsonObject onPostgres(JsonObject descriptor, EmbeddedPostgresServer server, String database) {
    return merge(descriptor, new JsonObject().put("collector", new JsonObject().put("store", new JsonObject()
        .put("type", "postgres").put("host", "127.0.0.1").put("port", server.port()).put("database", database)
        .put("user", "postgres").put("sslMode", "disable").put("poolSize", 4))));
  }

  /** A shipped descriptor as the repository has it ({@code src/main/resources/conf/NAME}). */
  public static JsonObject descriptor(String name) {
    try {
      return new JsonObject(Files.readString(Path.of("src/main/resources/conf", name)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Deep-merges {@code overrides} into {@code base}. */
  public static JsonObject merge(JsonObject base, JsonObject overrides) {
    JsonObject out = base.copy();
    for (String key : overrides.fieldNames()) {
      Object v = overrides.getValue(key);
      if (v instanceof JsonObject o && out.getValue(key) instanceof JsonObject existing) {
        out.put(key, merge(existing, o));
      } else {
        out.put(key, v);
      }
    }
    return out;
  }

  public static PipelineVerticle deploy(Vertx vertx, JsonObject descriptor) {
    return deploy(vertx, descriptor, null);
  }

  /** Deploys with {@code store} instead of the descriptor's (null: the descriptor's). */
  public static PipelineVerticle deploy(Vertx vertx, JsonObject descriptor, TelemetryStore store) {
    PipelineVerticle main = new PipelineVerticle(store);
    await(vertx.deployVerticle(main, new DeploymentOptions().setConfig(descriptor)), 120);
    return main;
  }
}
