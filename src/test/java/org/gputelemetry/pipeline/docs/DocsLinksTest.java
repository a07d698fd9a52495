package org.gputelemetry.pipeline.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation holds together: every relative link of the README, of {@code docs/} and of the
 * chart's README names a file that exists (and, into a Markdown file, a heading that exists), and
 * the README links every page of {@code docs/} and the chart's README.
 */
class DocsLinksTest {

  private static final Path README = Path.of("README.md");
  private static final Path DOCS = Path.of("docs");
  private static final Path CHART_README = Path.of("helm", "telemetry-pipeline", "README.md");

  /**
   * Pages another branch writes; until it is merged the link to it may dangle. Only a missing
   * file is forgiven, and only for these: once the page exists its anchors are checked as well.
   */
  private static final Set<Path> ARRIVES_AT_MERGE = Set.of(Path.of("docs", "configuration.md"));

  private static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(README, CHART_README));
    try (Stream<Path> pages = Files.list(DOCS)) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  @Test
  void everyRelativeLinkResolves() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path doc : documents()) {
      MarkdownDoc markdown = MarkdownDoc.read(doc);
      for (MarkdownDoc.Link link : markdown.links()) {
        String target = link.target();
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto: ... leave the repository
        }
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
        Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
        String where = doc + ":" + link.line() + " -> " + target;
        if (!Files.exists(resolved)) {
          if (!ARRIVES_AT_MERGE.contains(Path.of("").toAbsolutePath().relativize(resolved.toAbsolutePath()))) {
            problems.add(where + ": no such file");
          }
          continue;
        }
        if (anchor != null && resolved.toString().endsWith(".md")
            && !MarkdownDoc.read(resolved).anchors().contains(anchor)) {
          problems.add(where + ": no heading with anchor #" + anchor + " in " + resolved.getFileName());
        }
      }
    }
    assertTrue(checked > 0, "no relative links found");
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void readmeLinksEveryDocsPageAndTheChartReadme() throws IOException {
    Set<Path> linked = MarkdownDoc.read(README).links().stream()
        .map(l -> l.target().split("#", 2)[0])
        .filter(t -> !t.isEmpty() && !t.contains(":"))
        .map(t -> Path.of(t).normalize())
        .collect(Collectors.toSet());
    List<Path> pages = new ArrayList<>(documents());
    pages.remove(README);
    pages.addAll(ARRIVES_AT_MERGE);
    List<String> missing = pages.stream().distinct().filter(p -> !linked.contains(p)).map(Path::toString).toList();
    assertFalse(pages.size() < 3, "docs/ has no pages");
    assertTrue(missing.isEmpty(), "README.md links none of: " + missing);
  }

  /** An unclosed fence turns the rest of a page into code, hiding its links and headings from the checks above. */
  @Test
  void everyCodeBlockIsClosed() throws IOException {
    List<String> open = new ArrayList<>();
    for (Path doc : documents()) {
      int line = MarkdownDoc.read(doc).unclosedFence;
      if (line > 0) {
        open.add(doc + ":" + line);
      }
    }
    assertTrue(open.isEmpty(), "code fences never closed: " + open);
  }

  @Test
  void slugsFollowGitHub() {
    assertEquals("health-and-readiness-health-ready", MarkdownDoc.slug("Health and readiness: `/health`, `/ready`"));
    assertEquals("scriptsbenchsh-benchmark-options", MarkdownDoc.slug("`scripts/bench.sh <benchmark> [options]`"));
  }
}
