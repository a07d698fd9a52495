package org.gputelemetry.pipeline;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.gputelemetry.pipeline.config.ConfigException;

/**
 * Drops the launcher's second report of a configuration problem. {@link PipelineVerticle} logs
 * every {@link ConfigException} that fails its start as one line saying what to change; Vert.x's
 * launcher then logs the same failure again ("Failed in deploying verticle" and the exception).
 * Every other launcher message, and every other failure, passes unchanged.
 */
public final class StartupFailureLogFilter extends Filter<ILoggingEvent> {

  static final String LAUNCHER_LOGGER = "io.vertx.launcher.application.VertxApplication";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    if (LAUNCHER_LOGGER.equals(event.getLoggerName()) && thrown != null
        && ConfigException.class.getName().equals(thrown.getClassName())) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
