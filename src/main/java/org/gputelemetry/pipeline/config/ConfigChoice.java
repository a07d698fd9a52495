package org.gputelemetry.pipeline.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A closed set of descriptor values, spelled in the descriptor as the constant's name in lower
 * case ({@code TransportType.CLUSTERED} is {@code "clustered"}). Parsing is case-sensitive.
 */
public interface ConfigChoice {

  /** The enum constant's name (implemented by every enum). */
  String name();

  /** The spelling in descriptors, environment variables and the effective-config dump. */
  default String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every spelling {@code type} accepts, in declaration order. */
  static <E extends Enum<E> & ConfigChoice> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::configName).toList();
  }

  /** The constant spelled {@code value}, or {@code null} when there is none. */
  static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.configName().equals(value)) {
        return e;
      }
    }
    return null;
  }
}
