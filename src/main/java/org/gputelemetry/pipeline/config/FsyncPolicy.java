package org.gputelemetry.pipeline.config;

/** When the edge spool forces its appends to disk ({@code transport.spool.fsync}): every append, about once a second, or never. */
public enum FsyncPolicy implements ConfigChoice {
  ALWAYS, INTERVAL, NEVER
}
