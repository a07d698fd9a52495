package org.gputelemetry.pipeline.streamer.scrape;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Parses a Prometheus text-format (0.0.4) or OpenMetrics (1.0) body from bytes, one line at a
 * time, by index: no regular expressions, no per-line String for the line itself.
 *
 * <p>Hand-written because no maintained JVM library parses the text format: Prometheus'
 * {@code io.prometheus:prometheus-metrics-exposition-textformats} only writes it (its
 * {@code PrometheusTextFormatWriter} and {@code OpenMetricsTextFormatWriter}), and the older
 * {@code simpleclient} had no parser either. Its speed is measured by {@code ScrapeParseBench};
 * {@code ExpositionParserFuzzTest} feeds it mutated fixtures.
 *
 * <p>Understood: {@code # HELP} (with {@code \\} and {@code \n} escapes), {@code # TYPE},
 * OpenMetrics {@code # UNIT} and {@code # EOF}, other comments (ignored), blank lines, LF or CRLF
 * endings, label values with {@code \\}, {@code \"} and {@code \n} escapes, blanks around label
 * tokens (dcgm-exporter's README shows {@code {gpu="0", UUID="..."}}), a trailing comma in the
 * label set, {@code NaN}/{@code +Inf}/{@code -Inf} values, optional timestamps (integer
 * milliseconds in the text format, seconds with a fraction in OpenMetrics), and OpenMetrics
 * exemplars (skipped). A line that does not parse is counted in {@link ScrapeRejects} with its
 * reason and skipped; parsing goes on with the next line. Lines longer than
 * {@link ExpositionLimits#maxLineLength()} and series with more than
 * {@link ExpositionLimits#maxLabels()} labels are rejected.
 *
 * <p>Not thread-safe (it reuses its buffers and string cache): one instance per thread or per
 * scheduler context. Parsing is linear in the body's length.
 */
public final class ExpositionParser {

  /** What a parse saw, besides the series it handed to the sink and the rejects it counted. */
  public record Summary(int lines, int series, boolean eofSeen, Map<String, MetricFamily> families) {
  }

  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private final ExpositionLimits limits;
  private final ByteStringCache strings = new ByteStringCache();
  private final ParsedSeries series;
  private byte[] scratch = new byte[256];

  // per-parse state
  private byte[] b;
  private ExpositionFormat format;
  private ScrapeRejects rejects;
  private Map<String, MetricFamily> families;
  private String lastFamilyKey;
  private MetricType lastFamilyType;
  private ScrapeRejectReason failure;
  private double number;
  private long micros;

  public ExpositionParser(ExpositionLimits limits) {
    this.limits = limits;
    this.series = new ParsedSeries(limits.maxLabels());
  }

  public ExpositionParser() {
    this(ExpositionLimits.DEFAULT);
  }

  /** Parses a whole body (UTF-8). */
  public Summary parse(byte[] body, ExpositionFormat fmt, SeriesSink sink, ScrapeRejects rej) {
    return parse(body, 0, body.length, fmt, sink, rej);
  }

  /** Parses {@code body[from, to)}; each accepted series goes to {@code sink}, each bad line to {@code rej}. */
  public Summary parse(byte[] body, int from, int to, ExpositionFormat fmt, SeriesSink sink, ScrapeRejects rej) {
    this.b = body;
    this.format = fmt;
    this.rejects = rej;
    this.families = new HashMap<>();
    this.lastFamilyKey = null;
    this.lastFamilyType = null;
    int lineNo = 0;
    int accepted = 0;
    boolean eof = false;
    int pos = from;
    try {
      while (pos < to) {
        int nl = pos;
        while (nl < to && body[nl] != '\n') {
          nl++;
        }
        lineNo++;
        int end = nl;
        if (end > pos && body[end - 1] == '\r') {
          end--;
        }
        int start = pos;
        pos = nl + 1;
        if (end - start > limits.maxLineLength()) {
          reject(ScrapeRejectReason.LINE_TOO_LONG, lineNo, start, start + 80);
          continue;
        }
        int p = skipBlanks(start, end);
        if (p == end) {
          continue;
        }
        if (eof) {
          reject(ScrapeRejectReason.CONTENT_AFTER_EOF, lineNo, start, end);
          continue;
        }
        if (body[p] == '#') {
          failure = null;
          int r = comment(p + 1, end);
          if (r < 0) {
            reject(failure, lineNo, start, end);
          } else if (r == 1) {
            eof = true;
          }
          continue;
        }
        failure = null;
        if (sample(p, end, lineNo)) {
          accepted++;
          sink.accept(series, rej);
        } else {
          reject(failure, lineNo, start, end);
        }
      }
    } finally {
      this.b = null;
      this.rejects = null;
    }
    Map<String, MetricFamily> fams = families;
    families = null;
    return new Summary(lineNo, accepted, eof, Map.copyOf(fams));
  }

  private void reject(ScrapeRejectReason reason, int line, int from, int to) {
    int t = Math.min(to, from + 120);
    t = Math.min(t, b.length);
    rejects.add(reason, line, new String(b, from, t - from, StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- comments

  /** 0: metadata or comment taken, 1: EOF, -1: bad metadata. */
  private int comment(int p, int end) {
    p = skipBlanks(p, end);
    int kw = p;
    while (p < end && b[p] != ' ' && b[p] != '\t') {
      p++;
    }
    int kwEnd = p;
    if (is(kw, kwEnd, "EOF")) {
      if (format == ExpositionFormat.OPENMETRICS) {
        return skipBlanks(kwEnd, end) == end ? 1 : fail(ScrapeRejectReason.BAD_METADATA);
      }
      return 0;
    }
    boolean help = is(kw, kwEnd, "HELP");
    boolean type = !help && is(kw, kwEnd, "TYPE");
    boolean unit = !help && !type && is(kw, kwEnd, "UNIT");
    if (!help && !type && !unit) {
      return 0; // an ordinary comment
    }
    p = skipBlanks(p, end);
    int nameStart = p;
    p = metricName(p, end);
    if (p == nameStart || (p < end && b[p] != ' ' && b[p] != '\t')) {
      return fail(ScrapeRejectReason.BAD_METADATA);
    }
    String name = strings.get(b, nameStart, p);
    p = skipBlanks(p, end);
    MetricFamily fam = families.getOrDefault(name, new MetricFamily(name, MetricType.UNTYPED, null, null));
    if (help) {
      String text = unescapeHelp(p, end);
      if (text == null) {
        return fail(ScrapeRejectReason.BAD_ESCAPE);
      }
      fam = fam.withHelp(text);
    } else if (type) {
      int te = trimEnd(p, end);
      MetricType t = te > p ? MetricType.fromText(new String(b, p, te - p, StandardCharsets.US_ASCII)) : null;
      if (t == null) {
        return fail(ScrapeRejectReason.BAD_METADATA);
      }
      fam = fam.withType(t);
      lastFamilyKey = null;
    } else {
      fam = fam.withUnit(new String(b, p, trimEnd(p, end) - p, StandardCharsets.UTF_8));
    }
    families.put(name, fam);
    return 0;
  }

  private String unescapeHelp(int p, int end) {
    boolean escaped = false;
    for (int i = p; i < end; i++) {
      if (b[i] == '\\') {
        escaped = true;
        break;
      }
    }
    if (!escaped) {
      return new String(b, p, end - p, StandardCharsets.UTF_8);
    }
    byte[] out = scratch(end - p);
    int n = 0;
    for (int i = p; i < end; i++) {
      byte c = b[i];
      if (c == '\\') {
        if (++i == end) {
          return null;
        }
        c = b[i];
        if (c == 'n') {
          c = '\n';
        } else if (c != '\\' && c != '"') {
          return null;
        }
      }
      out[n++] = c;
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- samples

  private boolean sample(int p, int end, int lineNo) {
    ParsedSeries s = series;
    s.labelCount = 0;
    s.hasTimestamp = false;
    s.lineNumber = lineNo;
    int nameStart = p;
    p = metricName(p, end);
    if (p == nameStart || (p < end && b[p] != ' ' && b[p] != '\t' && b[p] != '{')) {
      return failed(ScrapeRejectReason.BAD_METRIC_NAME);
    }
    s.name = strings.get(b, nameStart, p);
    s.type = typeOf(s.name);
    int q = skipBlanks(p, end);
    if (q < end && b[q] == '{') {
      p = labels(q + 1, end);
      if (p < 0) {
        return false;
      }
    }
    int valueStart = skipBlanks(p, end);
    if (valueStart == end) {
      return failed(ScrapeRejectReason.MISSING_VALUE);
    }
    if (valueStart == p) { // the value must be separated from the closing brace
      return failed(ScrapeRejectReason.BAD_LABEL_SYNTAX);
    }
    int valueEnd = tokenEnd(valueStart, end);
    if (!parseNumber(valueStart, valueEnd)) {
      return failed(ScrapeRejectReason.BAD_VALUE);
    }
    s.value = number;
    p = skipBlanks(valueEnd, end);
    if (p == end) {
      return true;
    }
    if (b[p] != '#') {
      int tsEnd = tokenEnd(p, end);
      boolean ok = format == ExpositionFormat.OPENMETRICS ? parseSecondsTimestamp(p, tsEnd) : parseMillisTimestamp(p, tsEnd);
      if (!ok) {
        return failed(ScrapeRejectReason.BAD_TIMESTAMP);
      }
      s.hasTimestamp = true;
      s.timestampMicros = micros;
      p = skipBlanks(tsEnd, end);
      if (p == end) {
        return true;
      }
    }
    // only an OpenMetrics exemplar ("# {labels} value [ts]") may follow
    if (format == ExpositionFormat.OPENMETRICS && b[p] == '#' && p + 2 < end && b[p + 1] == ' ' && b[p + 2] == '{') {
      return true;
    }
    return failed(ScrapeRejectReason.TRAILING_CHARACTERS);
  }

  /** Parses {@code name="value",...}; returns the index after '}' or -1. */
  private int labels(int p, int end) {
    ParsedSeries s = series;
    while (true) {
      p = skipBlanks(p, end);
      if (p == end) {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      if (b[p] == '}') {
        return p + 1;
      }
      int ns = p;
      p = labelName(p, end);
      if (p == ns) {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      int ne = p;
      p = skipBlanks(p, end);
      if (p == end || b[p] != '=') {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      p = skipBlanks(p + 1, end);
      if (p == end || b[p] != '"') {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      p++;
      int vs = p;
      boolean escaped = false;
      while (p < end && b[p] != '"') {
        if (b[p] == '\\') {
          escaped = true;
          p++;
        }
        p++;
      }
      if (p >= end) {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      String value = escaped ? unescapeLabel(vs, p) : strings.get(b, vs, p);
      if (value == null) {
        return failedIndex(ScrapeRejectReason.BAD_ESCAPE);
      }
      p++; // closing quote
      if (s.labelCount == s.labelNames.length) {
        return failedIndex(ScrapeRejectReason.TOO_MANY_LABELS);
      }
      String name = strings.get(b, ns, ne);
      for (int i = 0; i < s.labelCount; i++) {
        if (s.labelNames[i].equals(name)) {
          return failedIndex(ScrapeRejectReason.DUPLICATE_LABEL);
        }
      }
      s.labelNames[s.labelCount] = name;
      s.labelValues[s.labelCount] = value;
      s.labelCount++;
      p = skipBlanks(p, end);
      if (p == end) {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
      if (b[p] == ',') {
        p++;
      } else if (b[p] != '}') {
        return failedIndex(ScrapeRejectReason.BAD_LABEL_SYNTAX);
      }
    }
  }

  private String unescapeLabel(int from, int to) {
    byte[] out = scratch(to - from);
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '\\') {
        c = b[++i];
        if (c == 'n') {
          c = '\n';
        } else if (c != '\\' && c != '"') {
          return null;
        }
      }
      out[n++] = c;
    }
    return strings.get(out, 0, n);
  }

  private MetricType typeOf(String name) {
    if (families.isEmpty()) {
      return MetricType.UNTYPED;
    }
    if (name.equals(lastFamilyKey)) {
      return lastFamilyType;
    }
    MetricFamily f = families.get(name);
    if (f == null) {
      for (String suffix : new String[] {"_total", "_created", "_count", "_sum", "_bucket", "_info"}) {
        if (name.endsWith(suffix)) {
          f = families.get(name.substring(0, name.length() - suffix.length()));
          if (f != null) {
            break;
          }
        }
      }
    }
    lastFamilyKey = name;
    lastFamilyType = f == null ? MetricType.UNTYPED : f.type();
    return lastFamilyType;
  }

  // ---------------------------------------------------------------- numbers

  /** Go's ParseFloat forms a Prometheus value may take: decimals, exponents, NaN, ±Inf. */
  private boolean parseNumber(int from, int to) {
    int len = to - from;
    if (len == 0) {
      return false;
    }
    int p = from;
    boolean negative = false;
    if (b[p] == '+' || b[p] == '-') {
      negative = b[p] == '-';
      p++;
    }
    long mantissa = 0;
    int digits = 0;
    int fraction = 0;
    boolean dot = false;
    boolean simple = true;
    for (int i = p; i < to; i++) {
      byte c = b[i];
      if (c >= '0' && c <= '9') {
        if (mantissa != 0 || c != '0') {
          digits++;
        }
        mantissa = mantissa * 10 + (c - '0');
        if (dot) {
          fraction++;
        }
        if (digits > 15 || fraction > 22) {
          simple = false;
          break;
        }
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        simple = false;
        break;
      }
    }
    if (simple) {
      if (to - p == (dot ? 1 : 0)) {
        return false; // "", "+", "." or "-."
      }
      double v = fraction == 0 ? mantissa : mantissa / POW10[fraction];
      number = negative ? -v : v;
      return true;
    }
    return parseSlow(from, to);
  }

  private boolean parseSlow(int from, int to) {
    String text = new String(b, from, to - from, StandardCharsets.US_ASCII);
    String body = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    if (body.equalsIgnoreCase("nan")) {
      number = Double.NaN;
      return true;
    }
    if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
      number = text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      return true;
    }
    // Double.parseDouble also takes hex, "1d", "1f" and surrounding blanks: allow only [0-9.eE+-]
    boolean digit = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
        return false;
      }
    }
    if (!digit) {
      return false;
    }
    try {
      number = Double.parseDouble(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static final long MAX_MILLIS = Long.MAX_VALUE / 1000;

  private boolean parseMillisTimestamp(int from, int to) {
    int p = from;
    boolean negative = false;
    if (p < to && (b[p] == '-' || b[p] == '+')) {
      negative = b[p] == '-';
      p++;
    }
    if (p == to || to - p > 18) {
      return false;
    }
    long ms = 0;
    for (int i = p; i < to; i++) {
      byte c = b[i];
      if (c < '0' || c > '9') {
        return false;
      }
      ms = ms * 10 + (c - '0');
    }
    if (ms > MAX_MILLIS) {
      return false;
    }
    micros = (negative ? -ms : ms) * 1000;
    return true;
  }

  /** OpenMetrics: seconds, with a fraction; exact to the microsecond for plain decimals. */
  private boolean parseSecondsTimestamp(int from, int to) {
    int p = from;
    boolean negative = false;
    if (p < to && (b[p] == '-' || b[p] == '+')) {
      negative = b[p] == '-';
      p++;
    }
    long seconds = 0;
    long fractionMicros = 0;
    int intDigits = 0;
    int fracDigits = 0;
    boolean dot = false;
    for (int i = p; i < to; i++) {
      byte c = b[i];
      if (c >= '0' && c <= '9') {
        if (dot) {
          if (fracDigits < 6) {
            fractionMicros = fractionMicros * 10 + (c - '0');
          }
          fracDigits++;
        } else {
          if (++intDigits > 12) {
            return false; // beyond year 33658
          }
          seconds = seconds * 10 + (c - '0');
        }
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        // exponent form: through double, to the microsecond
        if (!parseNumber(from, to) || !Double.isFinite(number) || Math.abs(number) > 1e12) {
          return false;
        }
        micros = Math.round(number * 1e6);
        return true;
      }
    }
    if (intDigits + fracDigits == 0) {
      return false;
    }
    for (int i = Math.min(fracDigits, 6); i < 6; i++) {
      fractionMicros *= 10;
    }
    long v = seconds * 1_000_000 + fractionMicros;
    micros = negative ? -v : v;
    return true;
  }

  // ---------------------------------------------------------------- tokens

  private int metricName(int p, int end) {
    if (p < end && isNameStart(b[p], true)) {
      p++;
      while (p < end && (isNameStart(b[p], true) || (b[p] >= '0' && b[p] <= '9'))) {
        p++;
      }
    }
    return p;
  }

  private int labelName(int p, int end) {
    if (p < end && isNameStart(b[p], false)) {
      p++;
      while (p < end && (isNameStart(b[p], false) || (b[p] >= '0' && b[p] <= '9'))) {
        p++;
      }
    }
    return p;
  }

  private static boolean isNameStart(byte c, boolean colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  }

  private int skipBlanks(int p, int end) {
    while (p < end && (b[p] == ' ' || b[p] == '\t')) {
      p++;
    }
    return p;
  }

  private int tokenEnd(int p, int end) {
    while (p < end && b[p] != ' ' && b[p] != '\t') {
      p++;
    }
    return p;
  }

  private int trimEnd(int p, int end) {
    while (end > p && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
      end--;
    }
    return end;
  }

  private boolean is(int from, int to, String ascii) {
    if (to - from != ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (b[from + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private byte[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, scratch.length * 2)];
    }
    return scratch;
  }

  private int fail(ScrapeRejectReason reason) {
    failure = reason;
    return -1;
  }

  private boolean failed(ScrapeRejectReason reason) {
    if (failure == null) {
      failure = reason;
    }
    return false;
  }

  private int failedIndex(ScrapeRejectReason reason) {
    failure = reason;
    return -1;
  }
}
