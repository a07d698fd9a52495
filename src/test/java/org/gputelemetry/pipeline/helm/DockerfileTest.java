package org.gputelemetry.pipeline.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * docker/Dockerfile read statically (no Docker engine in the build): the instructions that make
 * it one non-root, health-checked image for every role, built from this project's own jar.
 */
class DockerfileTest {

  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");

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
    assertTrue(one("ENTRYPOINT").contains("-jar /app/" + jarName), one("ENTRYPOINT"));
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
  void healthcheckCallsHealthWithAToolTheImageHas() {
    String healthcheck = one("HEALTHCHECK");
    assertTrue(healthcheck.contains(" CMD "), healthcheck);
    assertTrue(healthcheck.contains("http://127.0.0.1:") && healthcheck.contains("/health"), healthcheck);
    assertTrue(healthcheck.contains("curl"), healthcheck);
    assertTrue(runtimeStage().stream().anyMatch(i -> i.startsWith("RUN") && i.contains("apt-get install")
        && i.contains(" curl")), "curl is installed in the runtime stage");
  }

  @Test
  void exposesTheGatewayPortAndPicksTheRoleFromTheEnvironment() {
    assertEquals("EXPOSE 8080", one("EXPOSE"));
    String entrypoint = one("ENTRYPOINT");
    assertTrue(entrypoint.contains("exec java $JAVA_OPTS"), entrypoint);
    assertTrue(entrypoint.contains("-conf") && entrypoint.contains("${DESCRIPTOR:-/app/conf/all-in-one.json}"), entrypoint);
    String env = String.join(" ", all("ENV"));
    assertTrue(env.contains("-XX:MaxRAMPercentage=75") && env.contains("-XX:+ExitOnOutOfMemoryError"), env);
  }

  @Test
  void dockerignoreKeepsOnlyWhatTheBuildNeeds() throws Exception {
    List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertTrue(rules.contains("!pom.xml") && rules.contains("!src"), rules.toString());
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
