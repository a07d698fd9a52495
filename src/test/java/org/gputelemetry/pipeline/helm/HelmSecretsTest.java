package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.EXTERNAL_DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.IN_CLUSTER_REDIS_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.REDIS_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.allFeatures;
import static org.gputelemetry.pipeline.helm.HelmReleases.inClusterRedis;
import static org.gputelemetry.pipeline.helm.RenderedChart.at;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.helm.HelmReleases.Mode;
import org.junit.jupiter.api.Test;

/** Passwords given to the chart appear in Secrets only, never in another object. */
class HelmSecretsTest {

  @Test
  void passwordsAppearOnlyInSecrets() {
    Map<RenderedChart, List<String>> renderings = new LinkedHashMap<>();
    renderings.put(Mode.DEFAULT.render(), List.of(DB_PASSWORD));
    renderings.put(Mode.SAME_CLUSTER.render(), List.of(DB_PASSWORD));
    renderings.put(Mode.CENTRAL.render(), List.of(DB_PASSWORD));
    renderings.put(allFeatures(), List.of(EXTERNAL_DB_PASSWORD, REDIS_PASSWORD));
    renderings.put(inClusterRedis(), List.of(DB_PASSWORD, IN_CLUSTER_REDIS_PASSWORD));
    renderings.put(RenderedChart.render("telemetry-edge", "values-edge-cluster.yaml",
        sets("externalRedis.password", REDIS_PASSWORD)), List.of(REDIS_PASSWORD));

    renderings.forEach((chart, passwords) -> {
      for (String password : passwords) {
        for (String document : chart.nonSecretDocuments()) {
          assertFalse(document.contains(password), chart.release + ": password in a non-Secret object:\n" + document);
        }
        String encoded = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
        assertTrue(chart.ofKind("Secret").stream().anyMatch(s -> encoded.equals(at(s, "data.password"))),
            chart.release + ": no Secret holds the password given");
      }
    });
  }
}
