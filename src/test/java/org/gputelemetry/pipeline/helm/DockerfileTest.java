package org.gputelemetry.pipeline.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * docker/Dockerfile read statically (no Docker engine in the build): the instructions that make
 * it one non-root, health-checked image for every role, built from this project's own jar. The
 * image's entrypoint and healthcheck scripts are run for real, against a stand-in {@code /app}
 * holding the bundled descriptors and {@code java}/{@code curl} stand-ins that print their arguments.
 */
class DockerfileTest {

  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
  private static final Path ENTRYPOINT = Path.of("docker", "entrypoint.sh").toAbsolutePath();
  private static final Path HEALTHCHECK = Path.of("docker", "healthcheck.sh").toAbsolutePath();
  private static final Path BUNDLED_CONF = Path.of("src", "main", "resources", "conf");

  /** One entry per instruction, continuation lines joined, comments dropped. */
  private static List<String> instructions;
  private static String jarName;

  @BeforeAll
  static void readDockerfileAndPom() throws Exception {
    instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      instructions.add(current.toString().replaceAll("\\s+", " "));
      current.setLength(0);
    }
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    NodeList finalName = pom.getElementsByTagName("finalName");
    assertEquals(1, finalName.getLength(), "pom.xml names its artifact once");
    jarName = finalName.item(0).getTextContent().strip() + ".jar";
  }

  @Test
  void buildsInAMavenStageAndRunsOnAJre() {
    List<String> froms = all("FROM");
    assertTrue(froms.size() >= 2, "multi-stage: " + froms);
    assertTrue(froms.get(0).matches("FROM maven:3\\.9-eclipse-temurin-17 AS build"), froms.get(0));
    assertEquals("FROM eclipse-temurin:17-jre", froms.get(froms.size() - 1));
    assertTrue(all("RUN").stream().anyMatch(r -> r.contains("mvn -B -q -DskipTests package")));
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("COPY --from=build")));
  }

  @Test
  void copiesTheJarThePomBuilds() {
    assertEquals("telemetry-pipeline.jar", jarName);
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("COPY --from=build")
        && i.contains("target/" + jarName + " ") && i.endsWith("/app/" + jarName)), "COPY of target/" + jarName);
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("COPY") && i.contains("src/main/resources/conf/")
        && i.endsWith("/app/conf/")), "the descriptors under /app/conf/");
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("COPY --chmod=0555 docker/entrypoint.sh docker/healthcheck.sh")
        && i.endsWith(" /app/")), "the scripts under /app/, executable");
    assertEquals("ENTRYPOINT [\"/app/entrypoint.sh\"]", one("ENTRYPOINT"));
  }

  @Test
  void entrypointRunsTheJarWithTheDefaultDescriptorAndPassesArgumentsOn(@TempDir Path app) throws Exception {
    Result result = entrypoint(app, Map.of("JAVA_OPTS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"),
        "-instances", "1");

    assertEquals(0, result.code(), result.err());
    assertEquals(List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", app + "/" + jarName,
        "-conf", app + "/conf/all-in-one.json", "-instances", "1"), result.args());
  }

  @Test
  void roleRunsTheBundledDescriptorOfThatName(@TempDir Path app) throws Exception {
    List<String> roles = bundledRoles();
    assertTrue(roles.containsAll(List.of("all-in-one", "streamer", "collector", "gateway")), roles.toString());
    for (String role : roles) {
      Result result = entrypoint(app, Map.of("ROLE", role));
      assertEquals(0, result.code(), role + ": " + result.err());
      assertEquals(app + "/conf/" + role + ".json", result.args().get(result.args().indexOf("-conf") + 1), role);
    }
    // the cross-cluster descriptors (conf/edge.json, conf/central.json) are picked the same way
    for (String role : List.of("edge", "central")) {
      Files.writeString(app.resolve("conf").resolve(role + ".json"), "{}");
      Result result = entrypoint(app, Map.of("ROLE", role));
      assertEquals(app + "/conf/" + role + ".json", result.args().get(result.args().indexOf("-conf") + 1), role);
    }
  }

  @Test
  void descriptorPathIsRunAsGiven(@TempDir Path app) throws Exception {
    Path mine = Files.writeString(app.resolve("mine.json"), "{}");

    Result result = entrypoint(app, Map.of("DESCRIPTOR", mine.toString()));

    assertEquals(0, result.code(), result.err());
    assertEquals(mine.toString(), result.args().get(result.args().indexOf("-conf") + 1));
  }

  @Test
  void entrypointRefusesAmbiguousOrUnknownRoles(@TempDir Path app) throws Exception {
    Result both = entrypoint(app, Map.of("ROLE", "streamer", "DESCRIPTOR", "/app/conf/collector.json"));
    Result unknown = entrypoint(app, Map.of("ROLE", "indexer"));
    Result path = entrypoint(app, Map.of("ROLE", "../../etc/passwd"));

    assertEquals(2, both.code());
    assertTrue(both.err().contains("are both set: give one"), both.err());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("ROLE=indexer has no bundled descriptor"), unknown.err());
    assertTrue(unknown.err().contains(" streamer") && unknown.err().contains(" collector"), "lists the roles: " + unknown.err());
    assertEquals(2, path.code());
    assertTrue(path.err().contains("is not a descriptor name"), path.err());
    assertTrue(both.args().isEmpty() && unknown.args().isEmpty() && path.args().isEmpty(), "java never ran");
  }

  @Test
  void healthcheckAsksThePortTheRoleServesHealthOn(@TempDir Path app) throws Exception {
    assertEquals("http://127.0.0.1:8080/health", healthcheckUrl(app, Map.of()));
    assertEquals("http://127.0.0.1:8080/health", healthcheckUrl(app, Map.of("ROLE", "gateway")));
    assertEquals("http://127.0.0.1:8080/health", healthcheckUrl(app, Map.of("ROLE", "central")));
    assertEquals("http://127.0.0.1:9090/health", healthcheckUrl(app, Map.of("ROLE", "streamer")));
    assertEquals("http://127.0.0.1:9090/health", healthcheckUrl(app, Map.of("ROLE", "edge")));
    assertEquals("http://127.0.0.1:9191/health", healthcheckUrl(app, Map.of("ROLE", "collector", "OPS_PORT", "9191")));
    assertEquals("http://127.0.0.1:9090/health", healthcheckUrl(app, Map.of("DESCRIPTOR", "/app/conf/collector.json")));
    assertEquals("http://127.0.0.1:7000/health", healthcheckUrl(app, Map.of("ROLE", "streamer", "HEALTHCHECK_PORT", "7000")));
  }

  @Test
  void runsAsANonRootUser() {
    List<String> users = runtimeStage().stream().filter(i -> i.startsWith("USER ")).toList();
    assertFalse(users.isEmpty(), "the runtime stage sets USER");
    String user = users.get(users.size() - 1).substring("USER ".length()).split(":")[0];
    assertNotEquals("root", user);
    assertNotEquals("0", user);
    assertEquals("10001", user, "the uid the Helm chart's securityContext runs as");
    assertTrue(runtimeStage().contains("WORKDIR /app"));
  }

  @Test
  void healthcheckCallsHealthWithAToolTheImageHas() throws IOException {
    String healthcheck = one("HEALTHCHECK");
    assertTrue(healthcheck.endsWith(" CMD [\"/app/healthcheck.sh\"]"), healthcheck);
    String script = Files.readString(HEALTHCHECK);
    assertTrue(script.contains("curl") && script.contains("http://127.0.0.1:$port/health"), script);
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("RUN") && i.contains("apt-get install")
        && i.contains(" curl")), "curl is installed in the runtime stage");
  }

  @Test
  void exposesTheHttpPortsAndSetsContainerAwareJvmFlags() {
    assertEquals("EXPOSE 8080 9090", one("EXPOSE"));
    String env = String.join(" ", all("ENV"));
    assertTrue(env.contains("-XX:MaxRAMPercentage=75") && env.contains("-XX:+ExitOnOutOfMemoryError"), env);
    assertFalse(env.contains("DESCRIPTOR=") || env.contains("ROLE="), "a default would make ROLE and DESCRIPTOR clash: " + env);
  }

  @Test
  void dockerignoreKeepsOnlyWhatTheBuildNeeds() throws Exception {
    List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertTrue(rules.contains("!pom.xml") && rules.contains("!src"), rules.toString());
    // every file COPYed from the build context is in it (last matching rule wins, as in Docker)
    for (String copy : instructions.stream().filter(i -> i.startsWith("COPY ") && !i.contains("--from=")).toList()) {
      List<String> words = List.of(copy.split(" "));
      for (String source : words.subList(1, words.size() - 1)) {
        if (source.startsWith("--")) {
          continue;
        }
        String last = null;
        for (String rule : rules) {
          String pattern = rule.startsWith("!") ? rule.substring(1) : rule;
          if (pattern.equals("*") || source.equals(pattern) || source.startsWith(pattern + "/")) {
            last = rule;
          }
        }
        assertTrue(last != null && last.startsWith("!"), source + " is left out of the build context by " + last);
      }
    }
  }

  record Result(int code, List<String> args, String err) {
  }

  /** Runs docker/entrypoint.sh with APP_HOME={@code app} (the bundled conf/ copied in) and a java that prints its arguments. */
  private static Result entrypoint(Path app, Map<String, String> env, String... args) throws Exception {
    Path conf = app.resolve("conf");
    if (!Files.isDirectory(conf)) {
      Files.createDirectories(conf);
      try (Stream<Path> files = Files.list(BUNDLED_CONF)) {
        for (Path f : files.toList()) {
          Files.copy(f, conf.resolve(f.getFileName()));
        }
      }
    }
    Path out = app.resolve("java.args");
    Files.deleteIfExists(out);
    Path bin = Files.createDirectories(app.resolve("bin"));
    stub(bin.resolve("java"), "for a in \"$@\"; do printf '%s\\n' \"$a\" >> '" + out + "'; done");
    Map<String, String> all = new HashMap<>(env);
    all.put("APP_HOME", app.toString());
    Exit exit = run(bin, all, ENTRYPOINT, args);
    List<String> javaArgs = Files.exists(out) ? Files.readAllLines(out) : List.of();
    return new Result(exit.code(), javaArgs, exit.err());
  }

  /** The URL docker/healthcheck.sh curls, with a curl that prints it. */
  private static String healthcheckUrl(Path app, Map<String, String> env) throws Exception {
    Path bin = Files.createDirectories(app.resolve("bin"));
    Path out = app.resolve("curl.args");
    Files.deleteIfExists(out);
    stub(bin.resolve("curl"), "for a in \"$@\"; do printf '%s\\n' \"$a\" >> '" + out + "'; done");
    Exit exit = run(bin, env, HEALTHCHECK);
    assertEquals(0, exit.code(), exit.err());
    List<String> args = Files.readAllLines(out);
    assertTrue(args.containsAll(List.of("-fsS", "--max-time")), args.toString());
    return args.get(args.size() - 1);
  }

  record Exit(int code, String err) {
  }

  /** Runs {@code script} with /bin/sh (the image's shell is POSIX), {@code bin} first on PATH. */
  private static Exit run(Path bin, Map<String, String> env, Path script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    for (String inherited : List.of("ROLE", "DESCRIPTOR", "JAVA_OPTS", "HEALTHCHECK_PORT", "OPS_PORT", "GATEWAY_PORT")) {
      builder.environment().remove(inherited);
    }
    builder.environment().putAll(env);
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    Process process = builder.start();
    String err = new String(process.getErrorStream().readAllBytes());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "timed out: " + command);
    return new Exit(process.exitValue(), err);
  }

  private static void stub(Path tool, String body) throws IOException {
    Files.writeString(tool, "#!/bin/sh\n" + body + "\n");
    assertTrue(tool.toFile().setExecutable(true));
  }

  /** The bundled descriptors' names, as ROLE takes them. */
  private static List<String> bundledRoles() throws IOException {
    try (Stream<Path> files = Files.list(BUNDLED_CONF)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
    }
  }

  private static List<String> all(String keyword) {
    return instructions.stream().filter(i -> i.startsWith(keyword + " ")).toList();
  }

  private static String one(String keyword) {
    List<String> found = all(keyword);
    assertEquals(1, found.size(), keyword + " instructions: " + found);
    return found.get(0);
  }

  /** The instructions after the last FROM. */
  private static List<String> runtimeStage() {
    int last = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("FROM ")) {
        last = i;
      }
    }
    return instructions.subList(last, instructions.size());
  }
}
