package org.gputelemetry.pipeline.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;
import org.gputelemetry.pipeline.testutil.DcgmSampleFile;
import org.gputelemetry.pipeline.transport.SampleBatchCodec;

/**
 * The clustered transport's wire form: encode + decode of realistic 500-row batches (cut from the
 * bundled sample) with {@link SampleBatchCodec}, against the same batches as Vert.x JSON
 * ({@link JsonObject}/{@link JsonArray} encoded to a buffer and parsed back into a batch). Prints
 * rows/s (median of {@code --runs} timed rounds of {@code --seconds}, after {@code --warmup}
 * seconds of each) and bytes per row, with the ratios. Single-threaded.
 * Usage: {@code scripts/bench.sh codec [--runs 5 --seconds 3 --warmup 5]}.
 */
public final class CodecBench {

  private static final int BATCH_ROWS = 500;
  private static volatile Object sink;

  public static void main(String[] args) {
    int runs = Integer.parseInt(BenchSupport.arg(args, "runs", "5"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "3"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup", "5"));
    List<SampleBatch> batches = batches(DcgmSampleFile.samples());
    SampleBatchCodec codec = new SampleBatchCodec();

    Function<SampleBatch, Buffer> binaryEncode = b -> {
      Buffer out = Buffer.buffer();
      codec.encodeToWire(out, b);
      return out;
    };
    Function<Buffer, SampleBatch> binaryDecode = buf -> codec.decodeFromWire(0, buf);
    Function<SampleBatch, Buffer> jsonEncode = b -> toJson(b).toBuffer();
    Function<Buffer, SampleBatch> jsonDecode = buf -> fromJson(new JsonObject(buf));

    Result binary = measure("binary codec", batches, binaryEncode, binaryDecode, runs, seconds, warmup);
    Result json = measure("JSON", batches, jsonEncode, jsonDecode, runs, seconds, warmup);
    System.out.printf("binary codec: median %,.0f rows/s encode+decode, %.1f bytes/row%n", binary.rowsPerSecond, binary.bytesPerRow);
    System.out.printf("JSON:         median %,.0f rows/s encode+decode, %.1f bytes/row%n", json.rowsPerSecond, json.bytesPerRow);
    System.out.printf("binary vs JSON: %.1fx the rows/s, %.1fx fewer bytes (500-row batches of the bundled sample, %d rounds of %ds)%n",
        binary.rowsPerSecond / json.rowsPerSecond, json.bytesPerRow / binary.bytesPerRow, runs, seconds);
  }

  record Result(double rowsPerSecond, double bytesPerRow) {
  }

  private static Result measure(String name, List<SampleBatch> batches, Function<SampleBatch, Buffer> encode,
                                Function<Buffer, SampleBatch> decode, int runs, int seconds, int warmup) {
    long bytes = 0;
    long rows = 0;
    for (SampleBatch b : batches) {
      Buffer wire = encode.apply(b);
      if (!decode.apply(wire).equals(b)) {
        throw new IllegalStateException(name + " does not round-trip batch " + b.sequence());
      }
      bytes += wire.length();
      rows += b.size();
    }
    round(batches, encode, decode, warmup);
    List<Double> rates = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double rate = round(batches, encode, decode, seconds);
      rates.add(rate);
      System.out.printf("%s run %d: %,.0f rows/s%n", name, run, rate);
    }
    return new Result(BenchSupport.median(rates), (double) bytes / rows);
  }

  /** Encodes and decodes the batches in turn for about {@code seconds}; rows per second. */
  private static double round(List<SampleBatch> batches, Function<SampleBatch, Buffer> encode,
                              Function<Buffer, SampleBatch> decode, int seconds) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    long rows = 0;
    int i = 0;
    while (System.nanoTime() < end) {
      SampleBatch b = batches.get(i++ % batches.size());
      sink = decode.apply(encode.apply(b));
      rows += b.size();
    }
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  /** 500-row batches cut from the sample in file order, wrapping around, until every row was used. */
  private static List<SampleBatch> batches(List<Sample> sample) {
    List<SampleBatch> out = new ArrayList<>();
    int count = (sample.size() + BATCH_ROWS - 1) / BATCH_ROWS * 2;
    for (int i = 0; i < count; i++) {
      List<Sample> rows = new ArrayList<>(BATCH_ROWS);
      for (int r = 0; r < BATCH_ROWS; r++) {
        rows.add(sample.get((i * BATCH_ROWS + r) % sample.size()));
      }
      out.add(new SampleBatch("streamer-0", i + 1, 1_752_871_354_000_000L + i, rows));
    }
    return out;
  }

  private static JsonObject toJson(SampleBatch b) {
    JsonArray samples = new JsonArray(new ArrayList<>(b.size()));
    for (Sample s : b.samples()) {
      Gpu g = s.gpu();
      samples.add(new JsonObject().put("uuid", g.uuid()).put("gpuIndex", g.gpuIndex()).put("device", g.device())
          .put("modelName", g.modelName()).put("hostname", g.hostname()).put("metric", s.metric())
          .put("timestampMicros", s.timestampMicros()).put("value", s.value()).put("container", s.container())
          .put("pod", s.pod()).put("namespace", s.namespace()));
    }
    return new JsonObject().put("producerId", b.producerId()).put("sequence", b.sequence())
        .put("createdMicros", b.createdMicros()).put("samples", samples);
  }

  private static SampleBatch fromJson(JsonObject o) {
    JsonArray array = o.getJsonArray("samples");
    List<Sample> samples = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject s = array.getJsonObject(i);
      Gpu g = new Gpu(s.getString("uuid"), s.getInteger("gpuIndex"), s.getString("device"), s.getString("modelName"),
          s.getString("hostname"));
      samples.add(new Sample(g, s.getString("metric"), s.getLong("timestampMicros"), s.getDouble("value"),
          s.getString("container"), s.getString("pod"), s.getString("namespace")));
    }
    return new SampleBatch(o.getString("producerId"), o.getLong("sequence"), o.getLong("createdMicros"), samples);
  }
}
