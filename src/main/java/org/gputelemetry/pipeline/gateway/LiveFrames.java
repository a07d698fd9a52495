package org.gputelemetry.pipeline.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.model.Sample;
import org.gputelemetry.pipeline.model.SampleBatch;

/**
 * The frames of one committed batch, encoded at most once per distinct filter and each sample
 * at most once: with a thousand clients watching the whole fleet, the batch is encoded once and
 * the same text written to every socket. Lives for one fan-out on the event loop; not thread-safe.
 */
final class LiveFrames {

  /** An encoded frame and how many samples it carries. */
  record Frame(String text, int samples) {
  }

  private static final Frame NONE = new Frame("[]", 0);

  private final SampleBatch batch;
  private final String[] encoded;
  private final Map<LiveFilter, Frame> frames = new HashMap<>();

  LiveFrames(SampleBatch batch) {
    this.batch = batch;
    this.encoded = new String[batch.size()];
  }

  /** The frame of {@code filter}'s samples in this batch, or {@code null} when none match. */
  Frame frame(LiveFilter filter) {
    Frame frame = frames.computeIfAbsent(filter, f -> {
      StringBuilder out = new StringBuilder(batch.size() * 160).append('[');
      int n = 0;
      List<Sample> samples = batch.samples();
      for (int i = 0; i < samples.size(); i++) {
        if (f.matches(samples.get(i))) {
          if (encoded[i] == null) {
            encoded[i] = ApiJson.liveSample(samples.get(i)).encode();
          }
          out.append(n++ == 0 ? "" : ",").append(encoded[i]);
        }
      }
      return n == 0 ? NONE : new Frame(out.append(']').toString(), n);
    });
    return frame == NONE ? null : frame;
  }

  /** Encodes samples as one frame (a JSON array), outside any batch (a slow client catching up). */
  static String encode(List<Sample> samples) {
    List<String> parts = new ArrayList<>(samples.size());
    samples.forEach(s -> parts.add(ApiJson.liveSample(s).encode()));
    return "[" + String.join(",", parts) + "]";
  }
}
