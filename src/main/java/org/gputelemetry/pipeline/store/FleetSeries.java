package org.gputelemetry.pipeline.store;

import java.util.List;

/**
 * One series of a {@link FleetQuery}'s answer.
 *
 * @param uuid the GPU (per-GPU grouping), else {@code null}
 * @param hostname the host (per-GPU and per-host grouping), else {@code null}
 * @param buckets ordered by bucket start; {@link Bucket#count()} is the number of samples of all
 *     the series' members in the bucket
 */
public record FleetSeries(String uuid, String hostname, List<Bucket> buckets) {
}
