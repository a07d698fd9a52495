package org.gputelemetry.pipeline.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
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

  /**
   * A filter's samples of the batch as messages of at most {@link LiveConnection#MAX_FRAME_SAMPLES}
   * samples each, encoded to UTF-8 once: every socket is written the same bytes (see {@link #write}).
   *
   * @param bodies each message's JSON array without its leading '['
   */
  record Frame(List<Buffer> bodies, int samples) {
  }

  /** Fragment size: under the 64 KiB frame limit WebSocket clients apply by default. */
  static final int FRAGMENT_BYTES = 60_000;

  private static final Frame NONE = new Frame(List.of(), 0);

  private final SampleBatch batch;
  private final String[] encoded;
  private final Map<LiveFilter, Frame> frames = new HashMap<>(4);

  LiveFrames(SampleBatch batch) {
    this.batch = batch;
    this.encoded = new String[batch.size()];
  }

  /** The frame of {@code filter}'s samples in this batch, or {@code null} when none match. */
  Frame frame(LiveFilter filter) {
    Frame frame = frames.computeIfAbsent(filter, f -> {
      List<Buffer> texts = new ArrayList<>(1);
      StringBuilder out = null;
      int n = 0;
      int inFrame = 0;
      List<Sample> samples = batch.samples();
      for (int i = 0; i < samples.size(); i++) {
        if (f.matches(samples.get(i))) {
          if (encoded[i] == null) {
            encoded[i] = SampleJson.liveSample(samples.get(i));
          }
          if (out == null) {
            out = new StringBuilder(Math.min(samples.size(), LiveConnection.MAX_FRAME_SAMPLES) * 160);
          } else {
            out.append(',');
          }
          out.append(encoded[i]);
          n++;
          if (++inFrame == LiveConnection.MAX_FRAME_SAMPLES) {
            texts.add(Buffer.buffer(out.append(']').toString()));
            out = null;
            inFrame = 0;
          }
        }
      }
      if (out != null) {
        texts.add(Buffer.buffer(out.append(']').toString()));
      }
      return n == 0 ? NONE : new Frame(texts, n);
    });
    return frame == NONE ? null : frame;
  }

  /**
   * Writes one message of {@code frame} to {@code ws} as a fragmented text message: "[" in a text
   * frame, then the shared body in continuation frames. The body's bytes are shared by every
   * socket (Vert.x heap buffers are never released by a write), so fan-out costs no per-client
   * encoding. Fragments of one message are written back to back on the event loop, never interleaved.
   */
  static void write(ServerWebSocket ws, Buffer body) {
    ws.writeFrame(WebSocketFrame.textFrame("[", false));
    int length = body.length();
    for (int from = 0; from < length; from += FRAGMENT_BYTES) {
      int to = Math.min(length, from + FRAGMENT_BYTES);
      ws.writeFrame(WebSocketFrame.continuationFrame(body.slice(from, to), to == length));
    }
  }

  /** Encodes samples as one frame (a JSON array), outside any batch (a slow client catching up). */
  static String encode(List<Sample> samples) {
    return SampleJson.live(samples);
  }
}
