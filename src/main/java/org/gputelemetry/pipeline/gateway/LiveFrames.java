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

  /** A filter's samples of the batch as encoded messages of at most {@link LiveConnection#MAX_FRAME_SAMPLES} samples each. */
  record Frame(List<String> texts, int samples) {
  }

  private static final Frame NONE = new Frame(List.of(), 0);

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
      List<String> texts = new ArrayList<>(1);
      StringBuilder out = null;
      int n = 0;
      int inFrame = 0;
      List<Sample> samples = batch.samples();
      for (int i = 0; i < samples.size(); i++) {
        if (f.matches(samples.get(i))) {
          if (encoded[i] == null) {
            encoded[i] = ApiJson.liveSample(samples.get(i)).encode();
          }
          if (out == null) {
            out = new StringBuilder(Math.min(samples.size(), LiveConnection.MAX_FRAME_SAMPLES) * 160).append('[');
          } else {
            out.append(',');
          }
          out.append(encoded[i]);
          n++;
          if (++inFrame == LiveConnection.MAX_FRAME_SAMPLES) {
            texts.add(out.append(']').toString());
            out = null;
            inFrame = 0;
          }
        }
      }
      if (out != null) {
        texts.add(out.append(']').toString());
      }
      return n == 0 ? NONE : new Frame(texts, n);
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
