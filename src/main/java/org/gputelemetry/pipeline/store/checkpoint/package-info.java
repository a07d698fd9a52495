/**
 * Checkpoints of the embedded store: a crash-safe snapshot of a {@link
 * org.gputelemetry.pipeline.store.TelemetryStore} on disk, written and restored through the
 * store's public query and write API only ({@link org.gputelemetry.pipeline.store.checkpoint.CheckpointFile}),
 * and the schedule that writes one periodically off the event loop ({@link
 * org.gputelemetry.pipeline.store.checkpoint.StoreCheckpoints}).
 */
package org.gputelemetry.pipeline.store.checkpoint;
