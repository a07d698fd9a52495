package org.gputelemetry.pipeline.testutil;

import java.util.function.BooleanSupplier;

/** Waits (bounded) for a condition that becomes true asynchronously. */
public final class Poll {

  private Poll() {
  }

  public static void until(String what, int seconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + seconds + "s waiting for " + what);
  }
}
