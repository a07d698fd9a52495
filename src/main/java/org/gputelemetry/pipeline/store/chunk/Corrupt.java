package org.gputelemetry.pipeline.store.chunk;

/** The one exception a decoder throws for bytes that are not a valid chunk. */
final class Corrupt {

  private Corrupt() {
  }

  static IllegalStateException of(String why) {
    return new IllegalStateException("corrupt sample chunk: " + why);
  }
}
