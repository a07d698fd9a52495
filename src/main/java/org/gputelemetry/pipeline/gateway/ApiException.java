package org.gputelemetry.pipeline.gateway;

/** A request the API answers with an error status and a JSON message naming what was wrong. */
public final class ApiException extends RuntimeException {

  /** Most characters of client input an error message repeats. */
  static final int ECHO_LIMIT = 64;

  private final int status;
  private final String parameter;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  private ApiException(int status, String message, String parameter) {
    super(message, null, false, false);
    this.status = status;
    this.parameter = parameter;
  }

  public static ApiException badParameter(String name, String problem) {
    return new ApiException(400, "parameter '" + clip(name) + "': " + problem, name);
  }

  /** The request parameter at fault, or null when the error is not about one. */
  public String parameter() {
    return parameter;
  }

  /** Client input as an error message may repeat it: at most {@value #ECHO_LIMIT} characters. */
  public static String clip(Object input) {
    String s = String.valueOf(input);
    return s.length() <= ECHO_LIMIT ? s : s.substring(0, ECHO_LIMIT) + "…";
  }

  public int status() {
    return status;
  }
}
