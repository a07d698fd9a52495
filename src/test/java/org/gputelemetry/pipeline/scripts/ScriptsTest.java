package org.gputelemetry.pipeline.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gputelemetry.pipeline.ops.OpsEndpoints;
import org.gputelemetry.pipeline.ops.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment scripts: shellcheck-clean, and their behaviour where it needs no cluster
 * (dry runs, missing tools, and the validators against a local gateway whose /health and /ready
 * are the pipeline's own handlers, so the bodies the scripts parse are the real ones).
 */
class ScriptsTest {

  private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();
  private static final Path DEPLOY = SCRIPTS.resolve("deploy-cross-cluster.sh");
  private static final String REDIS_PASSWORD = "S3cr3t-redis-XYZ";
  private static final String DB_PASSWORD = "S3cr3t-db-XYZ";

  /** Variables the scripts fall back to; cleared so the developer's shell cannot leak into a test. */
  private static final List<String> SCRIPT_ENV = List.of("EDGE_CONTEXT", "CENTRAL_CONTEXT", "SHARED_CONTEXT",
      "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_TLS", "DB_PASSWORD", "NAMESPACE", "IMAGE_TAG",
      "IMAGE_REPOSITORY", "KUBE_CONTEXT", "RELEASE", "GATEWAY_URL", "EDGE_RELEASE", "CENTRAL_RELEASE",
      "SHARED_RELEASE", "CHART", "EXPECT");

  private Vertx vertx;

  record Result(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  @AfterEach
  void stopGateway() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyScriptPassesShellcheck() throws Exception {
    Optional<Path> shellcheck = onPath("shellcheck");
    assumeTrue(shellcheck.isPresent(), "shellcheck is not installed (scripts/test.sh installs it): skipping the lint");
    List<String> command = new ArrayList<>(List.of(shellcheck.get().toString(), "--format=gcc"));
    for (Path dir : List.of(SCRIPTS, Path.of("docker").toAbsolutePath())) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> command.add(p.toString()));
      }
    }
    assertTrue(command.size() > 2, "no scripts found");

    Result result = run(Map.of(), command.toArray(String[]::new));

    assertEquals(0, result.exitCode(), result.all());
  }

  @Test
  void everyScriptHasItsDocsEntry() throws Exception {
    String deploying = Files.readString(Path.of("docs/deploying.md"));
    String scripts = deploying.substring(deploying.indexOf("\n## Scripts\n"), deploying.indexOf("\n## Make targets\n"));
    try (Stream<Path> files = Files.list(SCRIPTS)) {
      for (Path script : files.filter(p -> p.toString().endsWith(".sh")).sorted().toList()) {
        String name = script.getFileName().toString();
        assertTrue(scripts.contains("\n### `scripts/" + name),
            "the Scripts section of docs/deploying.md has no entry for " + name);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"deploy-cross-cluster.sh", "helm-install-same-cluster.sh", "validate-health.sh",
      "validate-connectivity.sh"})
  void helpExitsZero(String script) throws Exception {
    Result result = run(Map.of(), bash(), SCRIPTS.resolve(script).toString(), "--help");

    assertEquals(0, result.exitCode(), result.all());
    assertTrue(result.out().startsWith("Usage: " + script), result.out());
  }

  @Test
  void dryRunDeployAllNamesBothReleasesAndMasksPasswords() throws Exception {
    Result result = run(Map.of(), bash(), DEPLOY.toString(), "--dry-run",
        "--edge-context", "edge-test-ctx", "--central-context", "central-test-ctx",
        "--redis-host", "redis.test.example", "--redis-password", REDIS_PASSWORD,
        "--db-password", DB_PASSWORD, "--image-tag", "v9.9.9", "deploy-all");

    assertEquals(0, result.exitCode(), result.all());
    String out = result.out();
    assertTrue(out.contains("helm upgrade --install telemetry-edge "), out);
    assertTrue(out.contains("helm upgrade --install telemetry-central "), out);
    assertTrue(out.contains("values-edge-cluster.yaml"), out);
    assertTrue(out.contains("values-central-cluster.yaml"), out);
    assertTrue(out.contains("--kube-context edge-test-ctx"), out);
    assertTrue(out.contains("--kube-context central-test-ctx"), out);
    assertTrue(out.contains("externalRedis.host=redis.test.example"), out);
    assertTrue(out.contains("externalRedis.existingSecret=telemetry-redis-credentials"), out);
    assertTrue(out.contains("postgresql.auth.existingSecret=telemetry-db-credentials"), out);
    assertTrue(out.contains("image.tag=v9.9.9"), out);
    assertTrue(out.contains("'****'"), "masked passwords: " + out);
    assertFalse(result.all().contains(REDIS_PASSWORD), "the Redis password leaked: " + result.all());
    assertFalse(result.all().contains(DB_PASSWORD), "the database password leaked: " + result.all());
    assertTrue(out.indexOf("telemetry-central ") < out.indexOf("telemetry-edge "), "central (consumers) first");
  }

  @Test
  void dryRunReadsContextsAndPasswordsFromTheEnvironment() throws Exception {
    Result result = run(Map.of("EDGE_CONTEXT", "edge-from-env", "REDIS_HOST", "redis.env.example",
        "REDIS_PASSWORD", REDIS_PASSWORD), bash(), DEPLOY.toString(), "--dry-run", "deploy-edge");

    assertEquals(0, result.exitCode(), result.all());
    assertTrue(result.out().contains("--kube-context edge-from-env"), result.out());
    assertTrue(result.out().contains("externalRedis.host=redis.env.example"), result.out());
    assertFalse(result.all().contains(REDIS_PASSWORD));
    assertFalse(result.out().contains("telemetry-central"), "deploy-edge touches the edge only");
  }

  @Test
  void missingRedisHostIsReported() throws Exception {
    Result result = run(Map.of(), bash(), DEPLOY.toString(), "--dry-run", "--edge-context", "e", "deploy-edge");

    assertEquals(1, result.exitCode());
    assertTrue(result.err().contains("--redis-host (or REDIS_HOST) is required for deploy-edge"), result.err());
  }

  @Test
  void failsClearlyWithoutHelm(@TempDir Path emptyBin) throws Exception {
    Result result = run(Map.of("PATH", emptyBin.toString()), bash(), DEPLOY.toString(),
        "--edge-context", "e", "--redis-host", "r", "deploy-edge");

    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.err().contains("helm not found on PATH"), result.err());
  }

  @Test
  void failsClearlyForAnUnknownContext(@TempDir Path bin) throws Exception {
    fakeTool(bin, "helm", "echo helm must not run >&2; exit 3");
    fakeTool(bin, "kubectl", """
        if [ "$1 $2" = "config get-contexts" ]; then printf 'kind-a\\nkind-b\\n'; exit 0; fi
        echo kubectl must not run >&2; exit 3""");

    Result result = run(Map.of("PATH", bin.toString()), bash(), DEPLOY.toString(),
        "--edge-context", "edge-missing", "--redis-host", "r", "deploy-edge");

    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.err().contains("kubectl context 'edge-missing' (--edge-context) does not exist"), result.err());
    assertTrue(result.err().contains("kind-a kind-b"), result.err());
    assertFalse(result.all().contains("must not run"), result.all());
  }

  @Test
  void sameClusterDryRunUsesItsValuesFileAndASecret() throws Exception {
    Result result = run(Map.of(), bash(), SCRIPTS.resolve("helm-install-same-cluster.sh").toString(), "--dry-run",
        "--db-password", DB_PASSWORD, "--context", "kind-dev");

    assertEquals(0, result.exitCode(), result.all());
    assertTrue(result.out().contains("helm upgrade --install telemetry-pipeline "), result.out());
    assertTrue(result.out().contains("values-same-cluster.yaml"), result.out());
    assertTrue(result.out().contains("--kube-context kind-dev"), result.out());
    assertTrue(result.out().contains("postgresql.auth.existingSecret=telemetry-db-credentials"), result.out());
    assertFalse(result.all().contains(DB_PASSWORD), result.all());
  }

  @Test
  void validateHealthPassesAgainstAHealthyGateway() throws Exception {
    String url = startGateway(checks("store", true, "transport", true));

    Result result = run(Map.of(), bash(), SCRIPTS.resolve("validate-health.sh").toString(), "--url", url);

    assertEquals(0, result.exitCode(), result.all());
    assertTrue(result.out().contains("PASS health"), result.out());
    assertTrue(result.out().contains("PASS ready"), result.out());
    assertTrue(result.out().contains("PASS gpus"), result.out());
    assertTrue(result.out().contains("{\"status\":\"UP\",\"checks\":{}}"), "the liveness body: " + result.out());
  }

  @Test
  void validateHealthSendsTheBearerTokenToTheApiOnly() throws Exception {
    String url = startGateway(checks("store", true, "transport", true), "t0k3n");

    Result without = run(Map.of(), bash(), SCRIPTS.resolve("validate-health.sh").toString(), "--url", url);
    assertEquals(1, without.exitCode(), without.all());
    assertTrue(without.out().contains("FAIL gpus"), without.out());
    assertTrue(without.out().contains("--token TOKEN"), "says how to pass the token: " + without.out());

    Result with = run(Map.of(), bash(), SCRIPTS.resolve("validate-health.sh").toString(), "--url", url,
        "--token", "t0k3n");
    assertEquals(0, with.exitCode(), with.all());
    assertTrue(with.out().contains("PASS gpus"), with.out());
  }

  @Test
  void validateHealthFailsWhenTheGatewayIsNotReady() throws Exception {
    String url = startGateway(checks("store", false, "transport", true));

    Result result = run(Map.of(), bash(), SCRIPTS.resolve("validate-health.sh").toString(), "--url", url);

    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.out().matches("(?s).*FAIL ready +GET /ready -> HTTP 503 \\{\"status\":\"DOWN\".*"), result.out());
    assertTrue(result.out().contains("PASS health"), result.out());
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void validateConnectivityReportsStoreAndTransport(boolean withJq, @TempDir Path bin) throws Exception {
    String url = startGateway(checks("store", true, "transport", true, "collector", true));

    Result result = run(toolsOnPath(withJq, bin), bash(), SCRIPTS.resolve("validate-connectivity.sh").toString(),
        "--url", url);

    assertEquals(0, result.exitCode(), result.all());
    assertTrue(result.out().matches("(?s).*store +UP.*transport +UP.*collector +UP.*"), result.out());
    assertTrue(result.out().contains("PASS gateway"), result.out());
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void validateConnectivityFailsWhenTheStoreIsDown(boolean withJq, @TempDir Path bin) throws Exception {
    String url = startGateway(checks("store", false, "transport", true));

    Result result = run(toolsOnPath(withJq, bin), bash(), SCRIPTS.resolve("validate-connectivity.sh").toString(),
        "--url", url);

    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.out().matches("(?s).*store +DOWN \\(store unreachable\\).*transport +UP.*"), result.out());
    assertTrue(result.out().contains("FAIL gateway"), result.out());
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void validateConnectivityFailsWhenAnExpectedCheckIsMissing(boolean withJq, @TempDir Path bin) throws Exception {
    // a streamer-only process registers no store check
    String url = startGateway(checks("transport", true, "streamer", true));

    Result result = run(toolsOnPath(withJq, bin), bash(), SCRIPTS.resolve("validate-connectivity.sh").toString(),
        "--url", url);

    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.out().matches("(?s).*store +missing from /ready.*"), result.out());
  }

  @Test
  void makefileOffersTheSeedsTargets() throws Exception {
    String makefile = Files.readString(Path.of("Makefile"));
    List<String> targets = List.of("build", "run", "test", "bench", "docker-build", "helm-lint", "helm-template",
        "helm-install-same-cluster", "helm-install-cross-cluster-edge", "helm-install-cross-cluster-central",
        "helm-install-cross-cluster-all", "validate-same-cluster", "validate-health", "validate-cross-cluster",
        "validate-connectivity");
    for (String target : targets) {
      assertTrue(makefile.matches("(?ms).*^" + target + ":.*"), "make target " + target);
    }
    Optional<Path> make = onPath("make");
    if (make.isPresent()) {
      for (String target : targets) {
        Result result = run(Map.of(), make.get().toString(), "-n", target);
        assertEquals(0, result.exitCode(), "make -n " + target + ": " + result.all());
      }
    }
  }

  @Test
  void makeScaleTargetsPassPerRoleCountsToScaleLocal() throws Exception {
    Optional<Path> make = onPath("make");
    assumeTrue(make.isPresent(), "make is not installed");
    String m = make.get().toString();
    Map<List<String>, String> expected = new java.util.LinkedHashMap<>();
    expected.put(List.of("scale-local", "INSTANCES=3"),
        "scripts/scale-local.sh start --streamers 3 --collectors 3 --gateways 3");
    expected.put(List.of("scale-streamers", "STREAMER_INSTANCES=5"), "scripts/scale-local.sh start --streamers 5");
    expected.put(List.of("scale-collectors", "COLLECTOR_INSTANCES=3"), "scripts/scale-local.sh start --collectors 3");
    expected.put(List.of("scale-gateways", "API_GW_INSTANCES=2"), "scripts/scale-local.sh start --gateways 2");
    expected.put(List.of("scale-status"), "scripts/scale-local.sh status");
    expected.put(List.of("scale-logs"), "scripts/scale-local.sh logs");
    expected.put(List.of("scale-stop"), "scripts/scale-local.sh stop");
    expected.put(List.of("validate-scaling"), "scripts/scale-local.sh validate");
    for (Map.Entry<List<String>, String> e : expected.entrySet()) {
      List<String> command = new ArrayList<>(List.of(m, "-n"));
      command.addAll(e.getKey());
      Result result = run(Map.of(), command.toArray(String[]::new));
      assertEquals(0, result.exitCode(), "make -n " + e.getKey() + ": " + result.all());
      assertEquals(e.getValue(), result.out().strip(), "make -n " + e.getKey());
    }
  }

  @Test
  void validateScalingFailsClearlyWithNothingRunning(@TempDir Path logs) throws Exception {
    Result result = run(Map.of("LOGS_DIR", logs.toString()), bash(), "scripts/scale-local.sh", "validate");
    assertEquals(1, result.exitCode(), result.all());
    assertTrue(result.err().contains("no instances running"), result.all());
  }

  @Test
  void makeBenchRunsABenchmarkTheScriptKnows() throws Exception {
    Optional<Path> make = onPath("make");
    assumeTrue(make.isPresent(), "make is not installed");
    String bench = Files.readString(SCRIPTS.resolve("bench.sh"));

    Result byDefault = run(Map.of(), make.get().toString(), "-n", "bench");
    Result chosen = run(Map.of(), make.get().toString(), "-n", "bench", "BENCH=rest", "BENCH_ARGS=--runs 1 --seconds 5");

    assertEquals(0, byDefault.exitCode(), byDefault.all());
    java.util.regex.Matcher command = java.util.regex.Pattern.compile("(?m)^scripts/bench\\.sh (\\S+)\\s*$")
        .matcher(byDefault.out());
    assertTrue(command.find(), "make bench passes a benchmark: " + byDefault.out());
    assertTrue(bench.matches("(?s).*\\n  " + command.group(1) + "\\).*"), "bench.sh has a case for " + command.group(1));
    assertTrue(chosen.out().contains("scripts/bench.sh rest --runs 1 --seconds 5"), chosen.out());
  }

  // ------------------------------------------------------------------------------------------

  /** Check names and whether each is up, in registration order: {@code checks("store", true, ...)}. */
  private static Map<String, Boolean> checks(Object... namesAndStates) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndStates.length; i += 2) {
      out.put((String) namesAndStates[i], (Boolean) namesAndStates[i + 1]);
    }
    return out;
  }

  /**
   * A gateway on 127.0.0.1 whose /health and /ready are the pipeline's own {@link OpsEndpoints} over
   * a {@link Readiness} with the given checks (a down one fails with "NAME unreachable"), and whose
   * /api/v1/gpus answers a JSON list.
   */
  private String startGateway(Map<String, Boolean> checks) throws Exception {
    return startGateway(checks, null);
  }

  /** A gateway whose /api answers 401 unless {@code Authorization: Bearer token} (when token is not null). */
  private String startGateway(Map<String, Boolean> checks, String token) throws Exception {
    vertx = Vertx.vertx();
    Readiness readiness = new Readiness(vertx);
    checks.forEach((name, up) -> readiness.register(name, () -> up
        ? Future.succeededFuture(new JsonObject().put("type", name))
        : Future.failedFuture(name + " unreachable")));
    Router router = Router.router(vertx);
    new OpsEndpoints(readiness, new SimpleMeterRegistry()).mount(router);
    if (token != null) {
      router.route("/api/*").handler(ctx -> {
        if (("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
          ctx.next();
        } else {
          ctx.response().setStatusCode(401).end("{\"error\":\"missing bearer token\"}");
        }
      });
    }
    router.get("/api/v1/gpus").handler(ctx -> ctx.json(new JsonObject().put("count", 1)
        .put("gpus", new JsonArray().add(new JsonObject().put("uuid", "GPU-0").put("hostname", "dgx-01")))));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort();
  }

  /**
   * A PATH for the validators: the system's, or (withJq false) a directory of links to just the
   * tools they use, without jq, so the scripts take their plain-shell parsing path.
   */
  private static Map<String, String> toolsOnPath(boolean withJq, Path bin) throws IOException {
    if (withJq) {
      assumeTrue(onPath("jq").isPresent(), "jq is not installed");
      return Map.of();
    }
    for (String tool : List.of("bash", "curl", "grep", "sed", "head", "tr", "mktemp", "rm", "cat")) {
      Path target = onPath(tool).orElseThrow(() -> new AssertionError(tool + " not found"));
      Files.createSymbolicLink(bin.resolve(tool), target);
    }
    return Map.of("PATH", bin.toString());
  }

  private static void fakeTool(Path bin, String name, String body) throws IOException {
    Path tool = bin.resolve(name);
    Files.writeString(tool, "#!/bin/sh\n" + body + "\n");
    assertTrue(tool.toFile().setExecutable(true));
  }

  private static String bash() {
    return onPath("bash").orElseThrow(() -> new AssertionError("bash not found")).toString();
  }

  private static Optional<Path> onPath(String tool) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, tool))
        .filter(Files::isExecutable).findFirst();
  }

  private static Result run(Map<String, String> env, String... command) throws Exception {
    Path out = Files.createTempFile("script-out", ".txt");
    Path err = Files.createTempFile("script-err", ".txt");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      SCRIPT_ENV.forEach(builder.environment()::remove);
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", command));
      }
      Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
      assertNotEquals(127, result.exitCode(), "command not found: " + result.all());
      return result;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
