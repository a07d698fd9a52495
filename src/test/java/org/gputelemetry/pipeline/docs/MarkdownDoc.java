package org.gputelemetry.pipeline.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Markdown file of the repository as the documentation tests read it: its lines outside
 * fenced code blocks, the inline links in them, and the anchors its headings get on GitHub.
 */
final class MarkdownDoc {

  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

  /** A link of the file: its target as written and the line it is on. */
  record Link(String target, int line) {
  }

  final Path path;
  private final List<String> prose = new ArrayList<>();
  private final List<Integer> lineNumbers = new ArrayList<>();
  /** Line of a code fence that is never closed, or 0. */
  final int unclosedFence;

  private MarkdownDoc(Path path, List<String> lines) {
    this.path = path;
    boolean fenced = false;
    int opened = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        opened = i + 1;
        continue;
      }
      if (!fenced) {
        prose.add(line);
        lineNumbers.add(i + 1);
      }
    }
    unclosedFence = fenced ? opened : 0;
  }

  static MarkdownDoc read(Path path) {
    try {
      return new MarkdownDoc(path, Files.readAllLines(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Inline links outside code blocks and code spans. */
  List<Link> links() {
    List<Link> links = new ArrayList<>();
    for (int i = 0; i < prose.size(); i++) {
      Matcher m = LINK.matcher(CODE_SPAN.matcher(prose.get(i)).replaceAll(""));
      while (m.find()) {
        links.add(new Link(m.group(1), lineNumbers.get(i)));
      }
    }
    return links;
  }

  /** The anchors GitHub gives the headings, with {@code -1}, {@code -2} for repeated ones. */
  Set<String> anchors() {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose) {
      Matcher m = HEADING.matcher(line);
      if (m.matches()) {
        String slug = slug(m.group(1));
        int n = seen.merge(slug, 1, Integer::sum);
        anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
      }
    }
    return anchors;
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
    return text.replaceAll("[^\\p{L}\\p{N}\\s_-]", "").replace(' ', '-');
  }

  /** The lines outside fenced code blocks. */
  List<String> prose() {
    return prose;
  }
}
