package org.gputelemetry.pipeline.ingest.csv;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * Streams the rows of a DCGM exporter CSV dump as {@link Sample}s, one {@link #next()} at a time,
 * without loading the file.
 *
 * <p><b>Input.</b> RFC 4180 with a header row, one record per physical line (LF or CRLF), as DCGM
 * writes it: quoted fields may hold commas and doubled quotes but not newlines. A UTF-8 byte-order
 * mark is dropped, blank lines are skipped and every field is trimmed after unquoting. Columns may come in any order; names are case-sensitive, except
 * that {@code hostname} is accepted for {@code Hostname}, and unknown columns are ignored.
 * {@code metric_name}, {@code uuid} and {@code value} are required, and {@code timestamp} too when
 * reading source timestamps; {@code gpu_id}, {@code device}, {@code modelName}, {@code Hostname},
 * {@code container}, {@code pod}, {@code namespace} and {@code labels_raw} are optional. A missing
 * header or required column fails {@code open} with a {@link CsvFormatException}.
 *
 * <p><b>Rows.</b> A row that cannot become a sample is skipped and counted in the
 * {@link RejectCounter} under its {@link RejectReason}; reading goes on with the next line, so a bad
 * row costs only itself. Memory is bounded whatever the input: a line over {@link #MAX_LINE_CHARS}
 * is skipped without being held ({@code line_too_long}), a quote left open at the end of a line
 * costs that line only ({@code unterminated_quote}), a line of more than {@link #MAX_FIELDS} fields
 * is skipped ({@code too_many_fields}), and a line holding a NUL or a lone UTF-16 surrogate, which
 * no store can hold, is skipped ({@code invalid_text}). Values must be plain decimal numbers as
 * DCGM writes them (optional sign, digits, optional fraction and exponent) and finite; hex, type
 * suffixes ({@code 1d}, {@code 1f}) and the like are {@code bad_value}. In source mode the
 * timestamp must be RFC 3339 with a year from 1 to 9999 ({@code timestamp_out_of_range}
 * otherwise: PostgreSQL and RFC 3339 hold no more); in processing mode a valid timestamp is kept
 * and a missing, bad or out-of-range one becomes 0, for the caller to re-stamp. Empty
 * {@code container}, {@code pod} and {@code namespace} become {@code null}.
 *
 * <p><b>Identity.</b> All samples of one uuid share one {@link Gpu} instance, described by the
 * first row seen for that uuid: {@code gpu_id} becomes its index ({@code -1} when absent or not an
 * integer), and an absent device, model or hostname is the empty string. Metric, pod, namespace
 * and container names are pooled, so replaying the samples does not multiply the strings. Both are
 * bounded (a file of endless distinct uuids does not grow the heap): past 65,536 GPUs the GPU
 * cache starts afresh, so a GPU seen again is described anew by its next row.
 *
 * <p>Not thread-safe: use one reader per thread. The {@link RejectCounter} may be shared.
 */
public final class DcgmCsvReader implements Closeable {

  /** Classpath location of the DCGM dump shipped with the application. */
  public static final String BUNDLED_SAMPLE = "/sample/dcgm_metrics_20250718_134233.csv";

  /** Longest line read, in characters (DCGM rows are under 1,000); longer ones are skipped. */
  public static final int MAX_LINE_CHARS = 1 << 20;
  /** Most fields a line may have (DCGM writes 12); more and the line is skipped. */
  public static final int MAX_FIELDS = 1024;
  /** Earliest timestamp kept, 0001-01-01T00:00:00Z, in microseconds. */
  public static final long MIN_TIMESTAMP_MICROS = -62_135_596_800_000_000L;
  /** Latest timestamp kept, 9999-12-31T23:59:59.999999Z, in microseconds. */
  public static final long MAX_TIMESTAMP_MICROS = 253_402_300_799_999_999L;

  private static final char BYTE_ORDER_MARK = '\uFEFF';
  private static final int POOL_CAPACITY = 10_000;
  private static final int GPU_CACHE_MAX = 65_536;
  private static final int DETAIL_MAX_CHARS = 80;

  private final CsvLines lines;
  private final LineFields row = new LineFields(MAX_FIELDS);
  private final ColumnLayout columns;
  private final boolean sourceTimestamps;
  private final RejectCounter rejects;
  private final Map<String, Gpu> gpus = new HashMap<>();
  private final StringPool names = new StringPool(POOL_CAPACITY);
  private long lineNumber;
  // One-entry cache: the rows of one scrape share their timestamp text, and parsing it is costly.
  private String lastTimestampText;
  private long lastTimestampMicros;
  private RejectReason lastTimestampFault;

  private DcgmCsvReader(CsvLines lines, boolean sourceTimestamps, RejectCounter rejects) {
    this.lines = lines;
    this.sourceTimestamps = sourceTimestamps;
    this.rejects = rejects;
    this.columns = ColumnLayout.of(readHeader(), sourceTimestamps);
  }

  /**
   * Reads the header and gets ready to stream rows. The reader is closed by {@link #close()}, or
   * here if the header is unusable.
   *
   * @param sourceTimestamps keep the CSV's timestamps (rows without a valid one are rejected)
   *     rather than leaving them to the caller
   * @throws CsvFormatException if there is no header or it lacks a required column
   */
  public static DcgmCsvReader open(Reader reader, boolean sourceTimestamps, RejectCounter rejects) {
    Objects.requireNonNull(rejects, "rejects");
    // Our own line splitter rather than FastCSV (which the project used before): FastCSV reads a
    // record across lines, has no line-length cap and cannot resume after a parse error, so one bad
    // row ended the file; and a FastCSV reader per line parsed four times slower (DcgmCsvParseBench).
    CsvLines lines = new CsvLines(withoutByteOrderMark(reader), MAX_LINE_CHARS);
    try {
      return new DcgmCsvReader(lines, sourceTimestamps, rejects);
    } catch (RuntimeException e) {
      closeAfterFailure(lines, e);
      throw e;
    }
  }

  /** Opens a UTF-8 file; see {@link #open(Reader, boolean, RejectCounter)}. */
  public static DcgmCsvReader open(Path path, boolean sourceTimestamps, RejectCounter rejects)
      throws IOException {
    return open(utf8(Files.newInputStream(path)), sourceTimestamps, rejects);
  }

  /** Opens the dump bundled on the classpath at {@link #BUNDLED_SAMPLE}. */
  public static DcgmCsvReader openBundledSample(boolean sourceTimestamps, RejectCounter rejects) {
    InputStream in = DcgmCsvReader.class.getResourceAsStream(BUNDLED_SAMPLE);
    if (in == null) {
      throw new IllegalStateException("bundled sample " + BUNDLED_SAMPLE + " is not on the classpath");
    }
    return open(utf8(in), sourceTimestamps, rejects);
  }

  /** Reads every valid row of a file into memory; convenient for tests and small files. */
  public static List<Sample> readAll(Path path, boolean sourceTimestamps, RejectCounter rejects)
      throws IOException {
    try (DcgmCsvReader reader = open(path, sourceTimestamps, rejects)) {
      return reader.drain();
    }
  }

  /** Reads every valid row into memory, then closes the reader. */
  public static List<Sample> readAll(Reader reader, boolean sourceTimestamps, RejectCounter rejects) {
    try (DcgmCsvReader csvReader = open(reader, sourceTimestamps, rejects)) {
      return csvReader.drain();
    }
  }

  /**
   * The next valid row, or {@code null} at the end of the input. Rows in between that are not
   * valid are counted in the {@link RejectCounter} and skipped.
   *
   * @throws UncheckedIOException if reading the underlying input fails
   */
  public Sample next() {
    String line;
    while ((line = lines.next()) != null) {
      lineNumber = lines.lineNumber();
      if (usable(line)) {
        Sample sample = toSample(row);
        if (sample != null) {
          return sample;
        }
      }
    }
    return null;
  }

  /** Line of the last row read, valid or not; 1 is the first line of the input. */
  public long lineNumber() {
    return lineNumber;
  }

  /** Closes the underlying input; closing failures are rethrown unchecked. */
  @Override
  public void close() {
    try {
      lines.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> readHeader() {
    String line;
    do {
      line = lines.next();
      if (line == null) {
        throw new CsvFormatException("no header: the input is empty");
      }
    } while (lines.flaw() == CsvLines.Flaw.OK && line.isBlank());
    lineNumber = lines.lineNumber();
    RejectReason fault = lines.flaw() != CsvLines.Flaw.OK ? reasonOf(lines.flaw()) : reasonOf(row.split(line));
    if (fault != null) {
      throw new CsvFormatException("unreadable header on line " + lineNumber + ": " + describe(fault));
    }
    return row.all();
  }

  /** Whether the line is split into {@code row}; a bad line is counted, a blank one skipped. */
  private boolean usable(String line) {
    RejectReason fault = lines.flaw() != CsvLines.Flaw.OK ? reasonOf(lines.flaw()) : null;
    if (fault == null) {
      if (line.isBlank()) {
        return false;
      }
      fault = reasonOf(row.split(line));
    }
    if (fault != null) {
      reject(fault, describe(fault));
      return false;
    }
    return true;
  }

  private static RejectReason reasonOf(CsvLines.Flaw flaw) {
    return switch (flaw) {
      case TOO_LONG -> RejectReason.LINE_TOO_LONG;
      case INVALID_TEXT -> RejectReason.INVALID_TEXT;
      case OK -> null;
    };
  }

  private static RejectReason reasonOf(LineFields.Split split) {
    return switch (split) {
      case UNTERMINATED_QUOTE -> RejectReason.UNTERMINATED_QUOTE;
      case TOO_MANY_FIELDS -> RejectReason.TOO_MANY_FIELDS;
      case OK -> null;
    };
  }

  private static String describe(RejectReason lineFault) {
    return switch (lineFault) {
      case LINE_TOO_LONG -> "line longer than " + MAX_LINE_CHARS + " characters, skipped unread";
      case UNTERMINATED_QUOTE -> "a quoted field is not closed before the end of the line";
      case TOO_MANY_FIELDS -> "more than " + MAX_FIELDS + " fields";
      case INVALID_TEXT -> "a NUL character or an unpaired UTF-16 surrogate";
      default -> lineFault.label();
    };
  }

  private Sample toSample(LineFields row) {
    if (row.count() < columns.requiredFieldCount) {
      return reject(RejectReason.TOO_FEW_FIELDS,
          row.count() + " fields, the header needs at least " + columns.requiredFieldCount);
    }
    String uuid = row.get(columns.uuid);
    if (uuid.isEmpty()) {
      return reject(RejectReason.MISSING_UUID, "uuid is empty or blank");
    }
    String metric = row.get(columns.metric);
    if (metric.isEmpty()) {
      return reject(RejectReason.MISSING_METRIC, "metric_name is empty or blank");
    }
    String valueText = row.get(columns.value);
    if (!DecimalText.isDecimal(valueText)) {
      RejectReason reason = spellsNonFinite(valueText)
          ? RejectReason.NON_FINITE_VALUE : RejectReason.BAD_VALUE;
      return reject(reason, "value " + quote(valueText));
    }
    double value = Double.parseDouble(valueText);
    if (!Double.isFinite(value)) {
      return reject(RejectReason.NON_FINITE_VALUE, "value " + quote(valueText));
    }
    String timestampText = field(row, columns.timestamp);
    long micros = 0;
    RejectReason timestampFault = timestampText == null || timestampText.isEmpty()
        ? RejectReason.BAD_TIMESTAMP : parseTimestamp(timestampText);
    if (timestampFault == null) {
      micros = lastTimestampMicros;
    } else if (sourceTimestamps) {
      return reject(timestampFault, "timestamp " + quote(timestampText));
    }
    return new Sample(gpu(row, uuid), names.intern(metric), micros, value,
        optionalName(row, columns.container), optionalName(row, columns.pod),
        optionalName(row, columns.namespace));
  }

  /** The shared GPU of this uuid, created from this row if it is the first one. */
  private Gpu gpu(LineFields row, String uuid) {
    Gpu gpu = gpus.get(uuid);
    if (gpu == null) {
      gpu = new Gpu(uuid, gpuIndex(field(row, columns.gpuId)), description(row, columns.device),
          description(row, columns.modelName), description(row, columns.hostname));
      if (gpus.size() == GPU_CACHE_MAX) {
        gpus.clear();
      }
      gpus.put(uuid, gpu);
    }
    return gpu;
  }

  /**
   * Sets {@code lastTimestampMicros}; returns {@code null} if the text is RFC 3339 within years 1 to
   * 9999, or else why not.
   */
  private RejectReason parseTimestamp(String text) {
    if (!text.equals(lastTimestampText)) {
      lastTimestampText = text;
      try {
        lastTimestampMicros = Timestamps.parseMicros(text);
        lastTimestampFault = lastTimestampMicros < MIN_TIMESTAMP_MICROS || lastTimestampMicros > MAX_TIMESTAMP_MICROS
            ? RejectReason.TIMESTAMP_OUT_OF_RANGE : null;
      } catch (IllegalArgumentException e) {
        lastTimestampFault = outOfRangeYear(text) ? RejectReason.TIMESTAMP_OUT_OF_RANGE : RejectReason.BAD_TIMESTAMP;
      }
    }
    return lastTimestampFault;
  }

  /** Year 0000 or a signed year of five digits or more: well formed but beyond what is kept. */
  private static boolean outOfRangeYear(String text) {
    return text.startsWith("0000-") || text.startsWith("+") || text.startsWith("-");
  }

  private Sample reject(RejectReason reason, String detail) {
    rejects.record(reason, lineNumber, detail);
    return null;
  }

  private List<Sample> drain() {
    List<Sample> samples = new ArrayList<>();
    Sample sample;
    while ((sample = next()) != null) {
      samples.add(sample);
    }
    return samples;
  }

  /** The field, or {@code null} when the header lacks the column or the row is too short. */
  private static String field(LineFields row, int index) {
    return index == ColumnLayout.ABSENT || index >= row.count() ? null : row.get(index);
  }

  private String optionalName(LineFields row, int index) {
    String text = field(row, index);
    return text == null || text.isEmpty() ? null : names.intern(text);
  }

  private String description(LineFields row, int index) {
    return optionalName(row, index); // unknown is null, so the API says null rather than ""
  }

  private static int gpuIndex(String text) {
    if (text == null || text.isEmpty()) {
      return -1;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Reader utf8(InputStream in) {
    // A decoding reader, unlike Files.newBufferedReader, replaces bad bytes instead of throwing:
    // one corrupt byte costs one row, not the rest of the file.
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /** Drops a leading BOM before parsing, so a quoted first header cell is still seen as quoted. */
  private static Reader withoutByteOrderMark(Reader reader) {
    PushbackReader pushback = new PushbackReader(reader, 1);
    try {
      int first = pushback.read();
      if (first != -1 && first != BYTE_ORDER_MARK) {
        pushback.unread(first);
      }
    } catch (IOException e) {
      UncheckedIOException failure = new UncheckedIOException(e);
      closeAfterFailure(pushback, failure);
      throw failure;
    }
    return pushback;
  }

  /** Non-finite values as other tools write them ({@code +Inf}, {@code nan}), which parseDouble refuses. */
  private static boolean spellsNonFinite(String text) {
    String bare = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    return bare.equalsIgnoreCase("inf") || bare.equalsIgnoreCase("infinity") || bare.equalsIgnoreCase("nan");
  }

  /** Quoted and shortened, so a huge or multi-line field cannot flood the log. */
  private static String quote(String text) {
    if (text == null) {
      return "absent";
    }
    String shown = text.length() > DETAIL_MAX_CHARS ? text.substring(0, DETAIL_MAX_CHARS) + "..." : text;
    return '"' + shown.replace("\n", "\\n").replace("\r", "\\r") + '"';
  }

  private static void closeAfterFailure(Closeable closeable, RuntimeException failure) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
