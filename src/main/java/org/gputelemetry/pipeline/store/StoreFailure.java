package org.gputelemetry.pipeline.store;

/**
 * Tells the two kinds of failed store operation apart, so that callers need not know the
 * store behind the interface: the store refused the <em>content</em> ({@link RejectedContentException}:
 * the same samples fail again, split the batch to find them) or anything else, an <em>outage</em>
 * (unreachable, timed out, shutting down, overloaded, read-only: the same samples succeed once it
 * is over, so wait with backoff and retry). Unknown failures count as outages: waiting on a
 * failure that is not one stalls a batch, treating an outage as content would drop good samples.
 * Stateless.
 */
public final class StoreFailure {

  private StoreFailure() {
  }

  /** Whether {@code failure}, or one of its causes, says the store refused the content. */
  public static boolean isContent(Throwable failure) {
    return content(failure) != null;
  }

  /** The first {@link RejectedContentException} in the cause chain (at most 16 deep, in case it loops). */
  private static RejectedContentException content(Throwable failure) {
    Throwable c = failure;
    for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) {
      if (c instanceof RejectedContentException r) {
        return r;
      }
    }
    return null;
  }

  /** The store's own account of a content refusal, or the failure's message for anything else. */
  public static String reason(Throwable failure) {
    RejectedContentException r = content(failure);
    if (r != null) {
      return r.getMessage();
    }
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
