package org.gputelemetry.pipeline.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.Timestamps;
import org.gputelemetry.pipeline.store.SamplePage;

/**
 * The hot JSON of the gateway, streamed: a telemetry page (REST) and live samples (WebSocket),
 * written with Jackson's generator straight to bytes instead of through a {@code JsonObject} per
 * sample, several times faster for pages of thousands of samples. Produces exactly the shapes of
 * {@link ApiJson#sample} (the schema test and {@code SampleJsonTest} hold it to them). Stateless
 * and thread-safe (the factory is; each call has its own generator).
 */
final class SampleJson {

  private static final JsonFactory JSON = new JsonFactory();
  // Pre-quoted field names and the few metric and host names of a fleet: Jackson then copies their
  // bytes instead of escaping each again (measured: a 243-sample page in 30 us instead of 43 us)
  private static final SerializedString UUID = new SerializedString("uuid");
  private static final SerializedString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializedString METRIC = new SerializedString("metric");
  private static final SerializedString VALUE = new SerializedString("value");
  private static final SerializedString HOSTNAME = new SerializedString("hostname");
  private static final int MAX_NAMES = 10_000;
  private static final Map<String, SerializedString> NAMES = new ConcurrentHashMap<>();

  private SampleJson() {
  }

  /** {@code {"uuid", "count", "samples": [...], "next_cursor"}} as REST answers a telemetry query. */
  static Buffer page(String uuid, SamplePage page) {
    // straight into the buffer the response sends: no intermediate byte[] to copy twice more
    ByteBuf out = Unpooled.buffer(256 + page.samples().size() * 120);
    try (JsonGenerator g = JSON.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
      TimeText time = new TimeText();
      g.writeStartObject();
      g.writeStringField("uuid", uuid);
      g.writeNumberField("count", page.samples().size());
      g.writeArrayFieldStart("samples");
      for (Sample s : page.samples()) {
        write(g, s, false, time);
      }
      g.writeEndArray();
      g.writeFieldName("next_cursor");
      if (page.next() == null) {
        g.writeNull();
      } else {
        g.writeString(page.next().encode());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return BufferInternal.buffer(out);
  }

  /** One live sample: the REST shape with the GPU's {@code uuid} first. */
  static String liveSample(Sample s) {
    return text(32 + 160, g -> write(g, s, true, new TimeText()));
  }

  /** Samples as one live-feed frame: a JSON array of live samples. */
  static String live(List<Sample> samples) {
    return text(16 + samples.size() * 160, g -> {
      TimeText time = new TimeText();
      g.writeStartArray();
      for (Sample s : samples) {
        write(g, s, true, time);
      }
      g.writeEndArray();
    });
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String text(int sizeHint, Body body) {
    ByteArrayBuilder out = new ByteArrayBuilder(sizeHint);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void write(JsonGenerator g, Sample s, boolean withUuid, TimeText time) throws IOException {
    g.writeStartObject();
    if (withUuid) {
      g.writeFieldName(UUID);
      g.writeString(s.gpu().uuid());
    }
    g.writeFieldName(TIMESTAMP);
    time.write(g, s.timestampMicros());
    g.writeFieldName(METRIC);
    g.writeString(name(s.metric()));
    g.writeFieldName(VALUE);
    g.writeNumber(s.value());
    g.writeFieldName(HOSTNAME);
    if (s.gpu().hostname() == null) {
      g.writeNull();
    } else {
      g.writeString(name(s.gpu().hostname()));
    }
    if (s.pod() != null) {
      g.writeStringField("pod", s.pod());
    }
    if (s.namespace() != null) {
      g.writeStringField("namespace", s.namespace());
    }
    if (s.container() != null) {
      g.writeStringField("container", s.container());
    }
    Labels labels = s.labels();
    if (!labels.isEmpty()) {
      g.writeObjectFieldStart("labels");
      for (int i = 0; i < labels.size(); i++) {
        g.writeStringField(labels.name(i), labels.value(i));
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** The pre-quoted form of a metric or host name; past {@value #MAX_NAMES} names, a fresh one (no cache growth). */
  private static SerializedString name(String text) {
    SerializedString cached = NAMES.get(text);
    if (cached == null) {
      cached = new SerializedString(text);
      if (NAMES.size() < MAX_NAMES) {
        NAMES.putIfAbsent(text, cached);
      }
    }
    return cached;
  }

  /**
   * RFC 3339 UTC as {@link org.gputelemetry.pipeline.model.Timestamps#format} writes it (fraction
   * in groups of three digits, none when zero), as characters in one reused array: the date-time
   * part is rewritten only when the second changes (pages hold runs of samples from the same
   * seconds), the fraction in place. Hand-written because formatting each timestamp through
   * {@code DateTimeFormatter} was a quarter of the gateway's allocation under the REST benchmark
   * (measured in one run: a 243-sample page in 47 us instead of 71 us; the REST benchmark flat
   * out, 13,743 instead of 8,224 requests/s). Years outside 0000-9999 take {@code Timestamps.format}. One per
   * encoding call.
   */
  static final class TimeText {
    private static final int FRACTION = 19; // "yyyy-MM-ddTHH:mm:ss".length()
    private final char[] chars = new char[FRACTION + 8];
    private long second = Long.MIN_VALUE;
    private boolean wide; // the second's year does not fit four digits

    /** Writes {@code micros} as a JSON string value. */
    void write(JsonGenerator g, long micros) throws IOException {
      int len = fill(micros);
      if (len < 0) {
        g.writeString(Timestamps.format(micros));
      } else {
        g.writeString(chars, 0, len);
      }
    }

    String format(long micros) {
      int len = fill(micros);
      return len < 0 ? Timestamps.format(micros) : new String(chars, 0, len);
    }

    /** The text's length in {@link #chars}, or -1 for a year the four digits cannot hold. */
    private int fill(long micros) {
      long sec = Math.floorDiv(micros, 1_000_000L);
      int fraction = (int) Math.floorMod(micros, 1_000_000L);
      if (sec != second) {
        second = sec;
        LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
        int year = t.getYear();
        wide = year < 0 || year > 9999;
        if (!wide) {
          digits(0, year, 4);
          chars[4] = '-';
          digits(5, t.getMonthValue(), 2);
          chars[7] = '-';
          digits(8, t.getDayOfMonth(), 2);
          chars[10] = 'T';
          digits(11, t.getHour(), 2);
          chars[13] = ':';
          digits(14, t.getMinute(), 2);
          chars[16] = ':';
          digits(17, t.getSecond(), 2);
        }
      }
      if (wide) {
        return -1;
      }
      int end = FRACTION;
      if (fraction != 0) {
        chars[end++] = '.';
        if (fraction % 1000 == 0) {
          digits(end, fraction / 1000, 3);
          end += 3;
        } else {
          digits(end, fraction, 6);
          end += 6;
        }
      }
      chars[end++] = 'Z';
      return end;
    }

    /** {@code n} as {@code width} decimal digits, zero-padded, at {@code at}. */
    private void digits(int at, int n, int width) {
      for (int i = at + width - 1; i >= at; i--) {
        chars[i] = (char) ('0' + n % 10);
        n /= 10;
      }
    }
  }
}
