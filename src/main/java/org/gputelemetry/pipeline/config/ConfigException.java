package org.gputelemetry.pipeline.config;

/** A deployment descriptor value that cannot be used; the message names the key. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String key, String problem) {
    super("invalid configuration '" + key + "': " + problem, null, false, false);
  }
}
