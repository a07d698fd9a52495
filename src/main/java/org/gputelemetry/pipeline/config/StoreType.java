package org.gputelemetry.pipeline.config;

/** Where samples are kept ({@code store.type}): embedded in memory, or in PostgreSQL. */
public enum StoreType implements ConfigChoice {
  MEMORY, POSTGRES
}
