package org.gputelemetry.pipeline.streamer.csv;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.CsvRecordHandler;
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
 * <p><b>Input.</b> RFC 4180 with a header row; CRLF or LF; quoted fields may hold commas, doubled
 * quotes and newlines. A UTF-8 byte-order mark is dropped, blank lines are skipped and every field
 * is trimmed after unquoting. Columns may come in any order; names are case-sensitive, except
 * that {@code hostname} is accepted for {@code Hostname}, and unknown columns are ignored.
 * {@code metric_name}, {@code uuid} and {@code value} are required, and {@code timestamp} too when
 * reading source timestamps; {@code gpu_id}, {@code device}, {@code modelName}, {@code Hostname},
 * {@code container}, {@code pod}, {@code namespace} and {@code labels_raw} are optional. A missing
 * header or required column fails {@code open} with a {@link CsvFormatException}.
 *
 * <p><b>Rows.</b> A row that cannot become a sample is skipped and counted in the
 * {@link RejectCounter} under its {@link RejectReason}; reading goes on with the next row. The one
 * exception is {@link RejectReason#MALFORMED}: the CSV parser cannot resume after it, so it ends
 * the input. Values must be finite numbers. In source mode the timestamp must be RFC 3339; in
 * processing mode a valid timestamp is kept and a missing or bad one becomes 0, for the caller to
 * re-stamp. Empty {@code container}, {@code pod} and {@code namespace} become {@code null}.
 *
 * <p><b>Identity.</b> All samples of one uuid share one {@link Gpu} instance, described by the
 * first row seen for that uuid: {@code gpu_id} becomes its index ({@code -1} when absent or not an
 * integer), and an absent device, model or hostname is the empty string. Metric, pod, namespace
 * and container names are pooled, so replaying the samples does not multiply the strings.
 *
 * <p>Not thread-safe: use one reader per thread. The {@link RejectCounter} may be shared.
 */
public final class DcgmCsvReader implements Closeable {

  /** Classpath location of the DCGM dump shipped with the application. */
  public static final String BUNDLED_SAMPLE = "/sample/dcgm_metrics_20250718_134233.csv";

  private static final char BYTE_ORDER_MARK = '\uFEFF';
  private static final int POOL_CAPACITY = 10_000;
  private static final int DETAIL_MAX_CHARS = 80;

  private final CsvReader<CsvRecord> csv;
  private final CloseableIterator<CsvRecord> records;
  private final ColumnLayout columns;
  private final boolean sourceTimestamps;
  private final RejectCounter rejects;
  private final Map<String, Gpu> gpus = new HashMap<>();
  private final StringPool names = new StringPool(POOL_CAPACITY);
  private long lineNumber;
  private boolean exhausted;
  // One-entry cache: the rows of one scrape share their timestamp text, and parsing it is costly.
  private String lastTimestampText;
  private long lastTimestampMicros;
  private boolean lastTimestampValid;

  private DcgmCsvReader(CsvReader<CsvRecord> csv, boolean sourceTimestamps, RejectCounter rejects) {
    this.csv = csv;
    this.records = csv.iterator();
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
    // FastCSV rather than a hand-written splitter: well kept, RFC 4180 complete (quotes, embedded
    // newlines, CRLF) and fast.
    CsvReader<CsvRecord> csv = CsvReader.builder()
        .skipEmptyLines(true)
        // Short rows are counted as rejects here, not thrown by the parser.
        .ignoreDifferentFieldCount(true)
        .build(new CsvRecordHandler(TidyField.INSTANCE), withoutByteOrderMark(reader));
    try {
      return new DcgmCsvReader(csv, sourceTimestamps, rejects);
    } catch (RuntimeException e) {
      closeAfterFailure(csv, e);
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
    CsvRecord record;
    while ((record = nextRecord()) != null) {
      lineNumber = record.getStartingLineNumber();
      if (!isBlank(record)) {
        Sample sample = toSample(record);
        if (sample != null) {
          return sample;
        }
      }
    }
    return null;
  }

  /**
   * Line on which the last row read starts, valid or not; 1 is the header. Lines are physical:
   * a quoted newline makes a row span several.
   */
  public long lineNumber() {
    return lineNumber;
  }

  /** Closes the underlying input; closing failures are rethrown unchecked. */
  @Override
  public void close() {
    try {
      csv.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> readHeader() {
    CsvRecord header;
    do {
      try {
        header = pollRecord();
      } catch (CsvParseException e) {
        throw new CsvFormatException("unreadable header: " + describe(e));
      }
      if (header == null) {
        throw new CsvFormatException("no header: the input is empty");
      }
    } while (isBlank(header));
    lineNumber = header.getStartingLineNumber();
    return header.getFields();
  }

  private CsvRecord nextRecord() {
    if (exhausted) {
      return null;
    }
    try {
      CsvRecord record = pollRecord();
      if (record != null) {
        return record;
      }
    } catch (CsvParseException e) {
      // FastCSV cannot resume after a parse error (it repeats it, or resumes mid-record), so the
      // rest of the input is given up rather than read as garbage.
      rejects.record(RejectReason.MALFORMED, lineNumber + 1, describe(e) + "; rest of the input skipped");
    }
    exhausted = true;
    return null;
  }

  private CsvRecord pollRecord() {
    return records.hasNext() ? records.next() : null;
  }

  private Sample toSample(CsvRecord row) {
    if (row.getFieldCount() < columns.requiredFieldCount) {
      return reject(RejectReason.TOO_FEW_FIELDS,
          row.getFieldCount() + " fields, the header needs at least " + columns.requiredFieldCount);
    }
    String uuid = row.getField(columns.uuid);
    if (uuid.isEmpty()) {
      return reject(RejectReason.MISSING_UUID, "uuid is empty or blank");
    }
    String metric = row.getField(columns.metric);
    if (metric.isEmpty()) {
      return reject(RejectReason.MISSING_METRIC, "metric_name is empty or blank");
    }
    String valueText = row.getField(columns.value);
    double value;
    try {
      value = Double.parseDouble(valueText);
    } catch (NumberFormatException e) {
      RejectReason reason = spellsNonFinite(valueText)
          ? RejectReason.NON_FINITE_VALUE : RejectReason.BAD_VALUE;
      return reject(reason, "value " + quote(valueText));
    }
    if (!Double.isFinite(value)) {
      return reject(RejectReason.NON_FINITE_VALUE, "value " + quote(valueText));
    }
    String timestampText = field(row, columns.timestamp);
    long micros = 0;
    if (timestampText != null && !timestampText.isEmpty() && parseTimestamp(timestampText)) {
      micros = lastTimestampMicros;
    } else if (sourceTimestamps) {
      return reject(RejectReason.BAD_TIMESTAMP, "timestamp " + quote(timestampText));
    }
    return new Sample(gpu(row, uuid), names.intern(metric), micros, value,
        optionalName(row, columns.container), optionalName(row, columns.pod),
        optionalName(row, columns.namespace));
  }

  /** The shared GPU of this uuid, created from this row if it is the first one. */
  private Gpu gpu(CsvRecord row, String uuid) {
    Gpu gpu = gpus.get(uuid);
    if (gpu == null) {
      gpu = new Gpu(uuid, gpuIndex(field(row, columns.gpuId)), description(row, columns.device),
          description(row, columns.modelName), description(row, columns.hostname));
      gpus.put(uuid, gpu);
    }
    return gpu;
  }

  /** Sets {@code lastTimestampMicros} and says whether the text is valid RFC 3339. */
  private boolean parseTimestamp(String text) {
    if (!text.equals(lastTimestampText)) {
      lastTimestampText = text;
      try {
        lastTimestampMicros = Timestamps.parseMicros(text);
        lastTimestampValid = true;
      } catch (IllegalArgumentException e) {
        lastTimestampValid = false;
      }
    }
    return lastTimestampValid;
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
  private static String field(CsvRecord row, int index) {
    return index == ColumnLayout.ABSENT || index >= row.getFieldCount() ? null : row.getField(index);
  }

  private String optionalName(CsvRecord row, int index) {
    String text = field(row, index);
    return text == null || text.isEmpty() ? null : names.intern(text);
  }

  private String description(CsvRecord row, int index) {
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

  /** A whitespace-only line: skipEmptyLines only skips lines with nothing on them. */
  private static boolean isBlank(CsvRecord record) {
    return record.getFieldCount() == 1 && record.getField(0).isEmpty();
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

  private static String describe(CsvParseException e) {
    Throwable cause = e.getCause();
    return cause == null ? e.getMessage() : e.getMessage() + ": " + cause.getMessage();
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
