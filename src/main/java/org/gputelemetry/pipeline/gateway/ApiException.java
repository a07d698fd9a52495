package org.gputelemetry.pipeline.gateway;

/** A request the API answers with an error status and a JSON message naming what was wrong. */
public final class ApiException extends RuntimeException {

  /** Most characters of client input an error message repeats. */
  static final int ECHO_LIMIT = 64;

  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static ApiException badParameter(String name, String problem) {
    return new ApiException(400, "parameter '" + clip(name) + "': " + problem);
  }

  /** Client input as an error message may repeat it: at most {@value #ECHO_LIMIT} characters. */
  static String clip(Object input) {
    String s = String.valueOf(input);
    return s.length() <= ECHO_LIMIT ? s : s.substring(0, ECHO_LIMIT) + "…";
  }

  public int status() {
    return status;
  }
}
