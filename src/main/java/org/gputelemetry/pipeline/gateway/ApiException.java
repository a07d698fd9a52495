package org.gputelemetry.pipeline.gateway;

/** A request the API answers with an error status and a JSON message naming what was wrong. */
public final class ApiException extends RuntimeException {

  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static ApiException badParameter(String name, String problem) {
    return new ApiException(400, "parameter '" + name + "': " + problem);
  }

  public int status() {
    return status;
  }
}
