/**
 * A seeded, realistic DCGM fleet: {@link org.gputelemetry.pipeline.simulate.FleetSimulator} moves
 * every GPU's telemetry the way real GPUs move it (jobs starting and ending, utilisation random
 * walks, temperature lagging power, memory stepping at job boundaries, near-constant clocks, rare
 * XID events), and the writers put it in the bundled sample's CSV form or the OpenMetrics text
 * {@code promtool tsdb create-blocks-from openmetrics} reads. Used by the {@code simulate} streamer
 * source, tests and benchmarks; {@link org.gputelemetry.pipeline.simulate.GenerateFleet} writes
 * files from the command line.
 *
 * <p>Depends on {@code model} only.
 */
package org.gputelemetry.pipeline.simulate;
