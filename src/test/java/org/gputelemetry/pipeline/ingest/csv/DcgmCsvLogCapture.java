package org.gputelemetry.pipeline.ingest.csv;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what {@link RejectCounter} logs while open, formatted; for asserting log content. */
final class DcgmCsvLogCapture implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger(RejectCounter.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private DcgmCsvLogCapture() {
    appender.start();
    logger.addAppender(appender);
  }

  static DcgmCsvLogCapture start() {
    return new DcgmCsvLogCapture();
  }

  List<String> messages() {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
