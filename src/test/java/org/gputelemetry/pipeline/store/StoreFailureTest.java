package org.gputelemetry.pipeline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** What the collector is told apart by: a refusal of the content anywhere in the cause chain, or anything else (an outage). */
class StoreFailureTest {

  @Test
  void aContentRefusalIsRecognisedWhereverItIsInTheCauseChain() {
    RejectedContentException refused = new RejectedContentException("SQLSTATE 22021: invalid byte sequence");
    assertTrue(StoreFailure.isContent(refused));
    assertTrue(StoreFailure.isContent(new ExecutionException(refused)));
    assertTrue(StoreFailure.isContent(new CompletionException(new ExecutionException(refused))));
    assertEquals("SQLSTATE 22021: invalid byte sequence", StoreFailure.reason(new ExecutionException(refused)));
  }

  @Test
  void everythingElseIsAnOutageToWaitOut() {
    assertFalse(StoreFailure.isContent(new ConnectException("Connection refused")));
    assertFalse(StoreFailure.isContent(new IOException("Connection reset by peer")));
    assertFalse(StoreFailure.isContent(new TimeoutException("timed out")));
    assertFalse(StoreFailure.isContent(new ExecutionException(new TimeoutException())));
    assertFalse(StoreFailure.isContent(VertxException.noStackTrace("Connection closed")));
    assertFalse(StoreFailure.isContent(new IllegalStateException("PostgreSQL store is not started")));
    assertFalse(StoreFailure.isContent(new RuntimeException("store unreachable", new IOException("closed"))));
    assertEquals("TimeoutException: timed out", StoreFailure.reason(new TimeoutException("timed out")));
  }

  @Test
  void aCauseChainThatLoopsEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertFalse(StoreFailure.isContent(a));
  }
}
