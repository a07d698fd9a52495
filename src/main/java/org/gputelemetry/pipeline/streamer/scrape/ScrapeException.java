package org.gputelemetry.pipeline.streamer.scrape;

/** Why a scrape of one target failed; its message goes to the target's {@code last_error}. */
public final class ScrapeException extends RuntimeException {

  /** The kinds of failure, as a metric tag. */
  public enum Kind {
    /** Connection refused, host unreachable, DNS failure. */
    CONNECT,
    /** The whole request took longer than the timeout. */
    TIMEOUT,
    /** The exporter answered with a status other than 200. */
    HTTP_STATUS,
    /** The body exceeded the configured maximum and was refused. */
    TOO_LARGE,
    /** The connection broke mid-response, or another I/O error. */
    IO
  }

  private final Kind kind;

  public ScrapeException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
