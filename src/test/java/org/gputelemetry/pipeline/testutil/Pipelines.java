package org.gputelemetry.pipeline.testutil;

import static org.gputelemetry.pipeline.testutil.Await.await;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gputelemetry.pipeline.PipelineVerticle;

/** Boots the real main verticle from a shipped descriptor, with test overrides merged in. */
public final class Pipelines {

  private Pipelines() {
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
    PipelineVerticle main = new PipelineVerticle();
    await(vertx.deployVerticle(main, new DeploymentOptions().setConfig(descriptor)), 120);
    return main;
  }
}
