package org.gputelemetry.pipeline.streamer.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {

  /** A copy of one parsed series. */
  record Line(String name, MetricType type, Map<String, String> labels, double value, Long tsMicros) {
  }

  private final ScrapeRejects rejects = new ScrapeRejects();
  private ExpositionParser.Summary summary;

  private List<Line> parse(String body, ExpositionFormat format) {
    return parse(body, format, ExpositionLimits.DEFAULT);
  }

  private List<Line> parse(String body, ExpositionFormat format, ExpositionLimits limits) {
    List<Line> out = new ArrayList<>();
    summary = new ExpositionParser(limits).parse(body.getBytes(StandardCharsets.UTF_8), format, (s, r) -> {
      Map<String, String> labels = new LinkedHashMap<>();
      for (int i = 0; i < s.labelCount(); i++) {
        labels.put(s.labelName(i), s.labelValue(i));
      }
      out.add(new Line(s.name(), s.type(), labels, s.value(), s.hasTimestamp() ? s.timestampMicros() : null));
    }, rejects);
    return out;
  }

  private List<Line> text(String body) {
    return parse(body, ExpositionFormat.PROMETHEUS_TEXT);
  }

  @Test
  void readsHelpTypeAndSamplesWithLabels() {
    List<Line> lines = text("""
        # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
        # TYPE DCGM_FI_DEV_GPU_UTIL gauge
        DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-1"} 87
        # TYPE energy counter
        energy{gpu="0"} 129931554972
        plain 1.5
        """);
    assertEquals(3, lines.size());
    assertEquals(new Line("DCGM_FI_DEV_GPU_UTIL", MetricType.GAUGE, Map.of("gpu", "0", "UUID", "GPU-1"), 87, null),
        lines.get(0));
    assertEquals(MetricType.COUNTER, lines.get(1).type());
    assertEquals(129931554972.0, lines.get(1).value());
    assertEquals(MetricType.UNTYPED, lines.get(2).type());
    assertEquals("GPU utilization (in %).", summary.families().get("DCGM_FI_DEV_GPU_UTIL").help());
    assertEquals(0, rejects.total());
    assertEquals(6, summary.lines());
    assertEquals(3, summary.series());
  }

  @Test
  void unescapesLabelValuesAndHelp() {
    List<Line> lines = text("# HELP m a \\\\ b\\nc\n"
        + "m{msg=\"say \\\"hi\\\"\\nback\\\\slash\"} 1\n");
    assertEquals("say \"hi\"\nback\\slash", lines.get(0).labels().get("msg"));
    assertEquals("a \\ b\nc", summary.families().get("m").help());
  }

  @Test
  void toleratesBlanksBetweenLabelsTrailingCommaCrlfAndBlankLines() {
    List<Line> lines = text("\r\n  m{gpu=\"0\", UUID = \"GPU-1\" ,} 3\r\n\r\n\tm{} 4\r\n");
    assertEquals(2, lines.size());
    assertEquals(Map.of("gpu", "0", "UUID", "GPU-1"), lines.get(0).labels());
    assertEquals(4, lines.get(1).value());
    assertEquals(0, rejects.total());
  }

  @Test
  void textTimestampsAreMillisecondsOpenMetricsSeconds() {
    assertEquals(1_733_140_800_123_000L, text("m 1 1733140800123\n").get(0).tsMicros());
    assertEquals(-5_000L, text("m 1 -5\n").get(0).tsMicros());
    List<Line> om = parse("m 1 1733140800.123456789\nn 2 1733140800\no 3 1.7331408e9\n# EOF\n",
        ExpositionFormat.OPENMETRICS);
    assertEquals(1_733_140_800_123_456L, om.get(0).tsMicros());
    assertEquals(1_733_140_800_000_000L, om.get(1).tsMicros());
    assertEquals(1_733_140_800_000_000L, om.get(2).tsMicros());
    assertTrue(summary.eofSeen());
  }

  @Test
  void parsesNonFiniteAndExponentValues() {
    List<Line> lines = text("a NaN\nb +Inf\nc -Inf\nd 1e3\ne -2.5E-3\nf 0.000001\ng 9223372036854775794\nh .5\n");
    assertTrue(Double.isNaN(lines.get(0).value()));
    assertEquals(Double.POSITIVE_INFINITY, lines.get(1).value());
    assertEquals(Double.NEGATIVE_INFINITY, lines.get(2).value());
    assertEquals(1000, lines.get(3).value());
    assertEquals(-0.0025, lines.get(4).value());
    assertEquals(0.000001, lines.get(5).value());
    assertEquals(9.223372036854775807E18, lines.get(6).value());
    assertEquals(0.5, lines.get(7).value());
    assertEquals(0, rejects.total());
  }

  @Test
  void decimalFastPathMatchesDoubleParse() {
    String[] values = {"167.362000", "0.1", "0.3", "123456789012345", "1.7976931348623157", "3.14159265358979",
        "0.000000000000000000001", "99.99", "-0.0", "42.000001"};
    StringBuilder body = new StringBuilder();
    for (String v : values) {
      body.append("m ").append(v).append('\n');
    }
    List<Line> lines = text(body.toString());
    for (int i = 0; i < values.length; i++) {
      assertEquals(Double.parseDouble(values[i]), lines.get(i).value(), values[i]);
    }
  }

  @Test
  void badLinesAreCountedByReasonAndTheRestKept() {
    List<Line> lines = text("""
        good{a="1"} 1
        novalue{a="1"}
        unterminated{a="1} 2
        badescape{a="\\q"} 3
        nocomma{a="1" b="2"} 4
        dup{a="1",a="2"} 5
        word{a="1"} warm
        hex 0x10
        trailing 1 2 3
        badts 1 12ab
        9starts 1
        # TYPE m nonsense
        good{a="2"} 6
        """);
    assertEquals(List.of(1.0, 6.0), lines.stream().map(Line::value).toList());
    assertEquals(1, rejects.count(ScrapeRejectReason.MISSING_VALUE));
    assertEquals(2, rejects.count(ScrapeRejectReason.BAD_LABEL_SYNTAX));
    assertEquals(1, rejects.count(ScrapeRejectReason.BAD_ESCAPE));
    assertEquals(1, rejects.count(ScrapeRejectReason.DUPLICATE_LABEL));
    assertEquals(2, rejects.count(ScrapeRejectReason.BAD_VALUE));
    assertEquals(1, rejects.count(ScrapeRejectReason.TRAILING_CHARACTERS));
    assertEquals(1, rejects.count(ScrapeRejectReason.BAD_TIMESTAMP));
    assertEquals(1, rejects.count(ScrapeRejectReason.BAD_METRIC_NAME));
    assertEquals(1, rejects.count(ScrapeRejectReason.BAD_METADATA));
    assertEquals(11, rejects.total());
    assertEquals(2, rejects.examples().get(0).line());
    assertEquals(ScrapeRejectReason.MISSING_VALUE, rejects.examples().get(0).reason());
  }

  @Test
  void linesAndLabelSetsAreBounded() {
    ExpositionLimits small = new ExpositionLimits(64, 2);
    List<Line> lines = parse("m{a=\"1\",b=\"2\"} 1\nm{a=\"1\",b=\"2\",c=\"3\"} 2\nm{a=\"" + "x".repeat(100) + "\"} 3\n",
        ExpositionFormat.PROMETHEUS_TEXT, small);
    assertEquals(1, lines.size());
    assertEquals(1, rejects.count(ScrapeRejectReason.TOO_MANY_LABELS));
    assertEquals(1, rejects.count(ScrapeRejectReason.LINE_TOO_LONG));
  }

  @Test
  void openMetricsSkipsExemplarsStopsAtEofAndTypesTotalByFamily() {
    List<Line> lines = parse("""
        # TYPE energy counter
        # UNIT energy joules
        energy_total{gpu="0"} 17 # {trace_id="x"} 1.0 1.5
        # EOF
        late 1
        """, ExpositionFormat.OPENMETRICS);
    assertEquals(1, lines.size());
    assertEquals(MetricType.COUNTER, lines.get(0).type());
    assertEquals("joules", summary.families().get("energy").unit());
    assertEquals(1, rejects.count(ScrapeRejectReason.CONTENT_AFTER_EOF));
  }

  @Test
  void eofIsAnOrdinaryCommentInTheTextFormatAndExemplarsAreNot() {
    List<Line> lines = text("# EOF\nm 1\nn 2 # {a=\"b\"} 1\n");
    assertEquals(1, lines.size());
    assertFalse(summary.eofSeen());
    assertEquals(1, rejects.count(ScrapeRejectReason.TRAILING_CHARACTERS));
  }

  @Test
  void emptyLabelValueIsAnEmptyStringNotAbsent() {
    List<Line> lines = text("m{pod=\"\"} 1\n");
    assertEquals("", lines.get(0).labels().get("pod"));
    assertNull(lines.get(0).labels().get("namespace"));
  }

  @Test
  void everyFixtureParsesWithTheRejectsItWasRecordedFor() {
    for (String name : Fixtures.ALL) {
      ScrapeRejects r = new ScrapeRejects();
      ExpositionFormat fmt = name.equals(Fixtures.OPENMETRICS) ? ExpositionFormat.OPENMETRICS : ExpositionFormat.PROMETHEUS_TEXT;
      new ExpositionParser().parse(Fixtures.bytes(name), fmt, (s, x) -> { }, r);
      assertEquals(name.equals(Fixtures.BROKEN) ? 7 : 0, r.total(), name + ": " + r + " " + r.examples());
    }
  }
}
