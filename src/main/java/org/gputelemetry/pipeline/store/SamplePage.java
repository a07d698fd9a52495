package org.gputelemetry.pipeline.store;

import java.util.List;
import org.gputelemetry.pipeline.model.Sample;

/**
 * One page of a GPU's samples in (timestamp, metric) order.
 *
 * @param next where the next page starts, or {@code null} exactly when no more samples match
 */
public record SamplePage(List<Sample> samples, Cursor next) {
}
