package org.gputelemetry.pipeline.config;

/**
 * One descriptor key as users see it: its full path, the kind of value, the default as the docs
 * print it, the environment variable that overrides it (or {@code null}) and what it means.
 * {@link ConfigKeys#ALL} holds every key; validation and the documentation derive from it.
 *
 * @param path full dotted path ({@code streamer.batchSize})
 * @param type kind of value; also how an environment variable's text is converted
 * @param defaultValue the default as documentation prints it ({@code none} for no value)
 * @param derivedDefault the default is computed at start (so {@code defaultValue} describes it
 *                       instead of quoting it)
 * @param env overriding environment variable, or {@code null}
 * @param description what the key does, one Markdown sentence or two
 */
public record ConfigKey(String path, Type type, String defaultValue, boolean derivedDefault, String env,
                        String description) {

  /** Kind of value a key carries. */
  public enum Type {
    STRING("string"), NUMBER("number"), BOOLEAN("boolean"), LIST("list"), DURATION("duration"), CHOICE("choice"), SIZE("size");

    private final String docName;

    Type(String docName) {
      this.docName = docName;
    }

    /** How the documentation names the type. */
    public String docName() {
      return docName;
    }
  }

  /** The block the key sits in: {@code transport.redis.tls} for {@code transport.redis.tls.enabled}. */
  public String parent() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }
}
