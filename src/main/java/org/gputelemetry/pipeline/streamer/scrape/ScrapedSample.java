package org.gputelemetry.pipeline.streamer.scrape;

import java.util.Objects;
import java.util.SortedMap;
import org.gputelemetry.pipeline.model.Gpu;
import org.gputelemetry.pipeline.model.Labels;
import org.gputelemetry.pipeline.model.Sample;

/**
 * One value from a dcgm-exporter scrape, before it becomes a pipeline {@link Sample}. Immutable.
 *
 * @param timestampMicros the exporter's timestamp when the line had one, else the scrape's time
 * @param container Kubernetes container, or null (an empty label means absent)
 * @param labels the labels that tell this series apart from others of the same GPU and metric
 *     ({@code xid}, {@code err_code}, {@code err_msg}, {@code window_size_in_ms}, ...), sorted by
 *     name, unmodifiable; empty for most series. Identity, Kubernetes and scrape labels
 *     ({@code instance}, {@code job}) are not in it.
 */
public record ScrapedSample(ScrapedGpu gpu, String metric, long timestampMicros, double value,
                            String container, String pod, String namespace, SortedMap<String, String> labels) {

  public ScrapedSample {
    Objects.requireNonNull(gpu, "gpu");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(labels, "labels");
  }

  /** The pipeline's sample, with {@link #labels()} as its labels (part of its series' identity). */
  public Sample toSample(Gpu modelGpu) {
    return new Sample(modelGpu, metric, timestampMicros, value, container, pod, namespace, Labels.of(labels));
  }
}
