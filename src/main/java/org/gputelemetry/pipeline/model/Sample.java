package org.gputelemetry.pipeline.model;

import java.util.Objects;

/**
 * One telemetry value of one GPU at one instant. Immutable; safe to share between threads and
 * to pass by reference on the local event bus. The store identifies a sample by
 * (gpu uuid, metric, labels, timestampMicros): writing the same key twice keeps one sample.
 *
 * @param timestampMicros microseconds since the epoch, UTC
 * @param container Kubernetes container the GPU was attached to, or {@code null}
 * @param pod Kubernetes pod, or {@code null}
 * @param namespace Kubernetes namespace, or {@code null}
 * @param labels what tells this series apart from others of the same GPU and metric (an XID
 *     series' {@code err_code}, ...); {@link Labels#EMPTY} for most samples, never null
 */
public record Sample(Gpu gpu, String metric, long timestampMicros, double value,
                     String container, String pod, String namespace, Labels labels) {

  public Sample {
    Objects.requireNonNull(gpu, "gpu");
    Objects.requireNonNull(metric, "metric");
    if (labels == null) {
      labels = Labels.EMPTY;
    }
  }

  /** A sample without labels (CSV rows, most DCGM fields). */
  public Sample(Gpu gpu, String metric, long timestampMicros, double value,
                String container, String pod, String namespace) {
    this(gpu, metric, timestampMicros, value, container, pod, namespace, Labels.EMPTY);
  }

  /** The same sample stamped with another time (processing-time replay). */
  public Sample withTimestamp(long micros) {
    return new Sample(gpu, metric, micros, value, container, pod, namespace, labels);
  }
}
