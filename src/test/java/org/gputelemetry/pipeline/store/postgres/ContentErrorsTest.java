package org.gputelemetry.pipeline.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.gputelemetry.pipeline.store.RejectedContentException;
import org.gputelemetry.pipeline.store.StoreFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PostgreSQL's errors sorted into "the content cannot be stored" and "wait: PostgreSQL cannot store now", by SQLSTATE. */
class ContentErrorsTest {

  private static PgException pg(String state) {
    return new PgException("message of " + state, "ERROR", state, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "22021", // invalid byte sequence for encoding "UTF8": 0x00
      "22008", // timestamp out of range
      "22003", // numeric value out of range
      "22P05", // untranslatable character
      "23505", // unique violation
      "23514", // check violation
      "54000", // index row size exceeds maximum
  })
  void dataAndIntegrityErrorsAreTheContents(String state) {
    assertTrue(ContentErrors.isContent(pg(state)), state);
    assertTrue(ContentErrors.isContent(new RuntimeException("wrapped", pg(state))), state);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "08006", // connection failure
      "08001", // unable to connect
      "57P01", // admin shutdown, pg_terminate_backend
      "57P03", // cannot connect now (starting up)
      "53300", // too many connections
      "53100", // disk full
      "25006", // read-only transaction (a standby)
      "40001", // serialization failure
      "40P01", // deadlock
      "42P01", // undefined table: an operator's problem, not the sample's
      "XX000", // internal error
  })
  void connectionShutdownResourceAndSchemaErrorsAreOutages(String state) {
    assertFalse(ContentErrors.isContent(pg(state)), state);
  }

  @Test
  void errorsThatAreNotPostgresqlsAreOutages() {
    assertFalse(ContentErrors.isContent(new ConnectException("Connection refused")));
    assertFalse(ContentErrors.isContent(new IOException("Connection reset by peer")));
    assertFalse(ContentErrors.isContent(new TimeoutException()));
    assertFalse(ContentErrors.isContent(VertxException.noStackTrace("Connection closed")));
    assertFalse(ContentErrors.isContent(new IllegalStateException("not started")));
    assertFalse(ContentErrors.isContent(new PgException("no state", "ERROR", null, null)));
  }

  @Test
  void aRefusalReachesTheCollectorAsRejectedContentNamingTheSqlState() {
    RejectedContentException e = ContentErrors.rejected(pg("22021"));
    assertTrue(StoreFailure.isContent(e));
    assertEquals("PostgreSQL refused the samples (SQLSTATE 22021): message of 22021", e.getMessage());
  }
}
