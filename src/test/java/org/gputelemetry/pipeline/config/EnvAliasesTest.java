package org.gputelemetry.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seeds' short environment variables (CSV_FILE, BATCH_SIZE, PORT, ENABLE_*, LOG_LEVEL) and the keys they set. */
class EnvAliasesTest {

  private static PipelineSettings settings(Map<String, String> env) {
    return PipelineSettings.fromDescriptor(new JsonObject(), env);
  }

  @Test
  void eachAliasSetsItsKeys() {
    PipelineSettings s = settings(Map.of("CSV_FILE", "/data/telemetry.csv", "BATCH_SIZE", "100",
        "STREAM_INTERVAL", "1s", "PROCESSING_INTERVAL", "5s", "PORT", "8181",
        "ENABLE_WEBSOCKET", "false", "ENABLE_CORS", "true"));
    assertEquals("/data/telemetry.csv", s.streamer().csvPath());
    assertEquals(100, s.streamer().batchSize());
    assertEquals(100, s.collector().batchSize());
    assertEquals(Duration.ofSeconds(1), s.streamer().streamInterval());
    assertEquals(Duration.ofSeconds(5), s.collector().pollInterval());
    assertEquals(8181, s.gateway().port());
    assertFalse(s.gateway().websocketEnabled());
    assertEquals(List.of("*"), s.gateway().corsAllowedOrigins());
  }

  @Test
  void aKeysOwnVariableWinsOverItsAlias() {
    PipelineSettings s = settings(Map.of("BATCH_SIZE", "100", "COLLECTOR_BATCH_SIZE", "50", "PORT", "8181",
        "GATEWAY_PORT", "8282"));
    assertEquals(100, s.streamer().batchSize());
    assertEquals(50, s.collector().batchSize());
    assertEquals(8282, s.gateway().port());
  }

  @Test
  void defaultsAreUnchangedWithoutTheAliases() {
    PipelineSettings s = settings(Map.of());
    assertTrue(s.gateway().websocketEnabled());
    assertEquals(List.of(), s.gateway().corsAllowedOrigins());
  }

  @Test
  void corsOffIgnoresTheOrigins() {
    PipelineSettings s = settings(Map.of("ENABLE_CORS", "false", "GATEWAY_CORS_ALLOWED_ORIGINS", "https://ops.example"));
    assertEquals(List.of(), s.gateway().corsAllowedOrigins());
  }

  @Test
  void aBadAliasValueNamesTheVariable() {
    ConfigException e = assertThrows(ConfigException.class, () -> settings(Map.of("ENABLE_WEBSOCKET", "yes")));
    assertTrue(e.getMessage().contains("ENABLE_WEBSOCKET"), e.getMessage());
  }

  @Test
  void everyAliasNamesAKnownKey() {
    for (ConfigKeys.Alias a : ConfigKeys.ALIASES) {
      for (String path : a.paths()) {
        assertNotNull(ConfigKeys.get(path), a.variable() + " -> " + path);
      }
    }
  }

  @Test
  void anUnknownLogLevelIsAConfigurationErrorNamingIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> settings(Map.of("LOG_LEVEL", "verbose")));
    assertEquals("invalid configuration 'LOG_LEVEL': environment variable LOG_LEVEL must be one of TRACE, DEBUG, INFO,"
        + " WARN, ERROR, OFF (any case), got 'verbose'", e.getMessage());
    // reported with the other bad variables of the same start
    ConfigException both = assertThrows(ConfigException.class,
        () -> settings(Map.of("LOG_LEVEL", "loud", "STREAMER_RATE", "fast")));
    assertEquals(2, both.problems().size(), both.getMessage());
    for (String ok : List.of("info", "WARN", "Debug", " error ", "off", "trace")) {
      assertNotNull(settings(Map.of("LOG_LEVEL", ok)), ok);
    }
  }

  @Test
  void logLevelSetsTheRootLevel() throws Exception {
    // logback.xml reads ${LOG_LEVEL:-INFO}; a system property stands in for the variable here
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.putProperty("LOG_LEVEL", "debug");
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    assertEquals(Level.DEBUG, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    LoggerContext plain = new LoggerContext();
    JoranConfigurator second = new JoranConfigurator();
    second.setContext(plain);
    second.doConfigure(getClass().getResource("/logback.xml"));
    assertEquals(Level.INFO, plain.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
  }
}
