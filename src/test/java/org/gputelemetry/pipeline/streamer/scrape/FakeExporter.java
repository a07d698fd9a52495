package org.gputelemetry.pipeline.streamer.scrape;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gputelemetry.pipeline.testutil.Await;

/**
 * A dcgm-exporter stand-in on 127.0.0.1: each path answers as told (a body, a status, a delay,
 * silence, or an endless body), so tests can make a target slow, broken or gone.
 */
final class FakeExporter implements AutoCloseable {

  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  /** How one path answers. */
  record Answer(int status, String contentType, byte[] body, long delayMs, boolean hang, boolean endless) {

    static Answer body(byte[] body) {
      return new Answer(200, TEXT, body, 0, false, false);
    }

    static Answer fixture(String name) {
      return body(Fixtures.bytes(name));
    }

    static Answer status(int status) {
      return new Answer(status, TEXT, "unavailable\n".getBytes(), 0, false, false);
    }

    static Answer silent() {
      return new Answer(200, TEXT, new byte[0], 0, true, false);
    }

    static Answer streamingForever() {
      return new Answer(200, TEXT, new byte[0], 0, false, true);
    }

    Answer withContentType(String type) {
      return new Answer(status, type, body, delayMs, hang, endless);
    }

    Answer delayed(long ms) {
      return new Answer(status, contentType, body, ms, hang, endless);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();

  private FakeExporter(Vertx vertx, int port) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
        .setCompressionSupported(false)).requestHandler(this::handle);
    Await.await(server.listen());
  }

  /** On a free port. */
  static FakeExporter start(Vertx vertx) {
    return new FakeExporter(vertx, 0);
  }

  /** On this port (a target that comes back where it was). */
  static FakeExporter startOn(Vertx vertx, int port) {
    return new FakeExporter(vertx, port);
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  FakeExporter answer(String path, Answer answer) {
    answers.put(path, answer);
    return this;
  }

  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  int maxConcurrent() {
    return maxConcurrent.get();
  }

  private void handle(HttpServerRequest req) {
    hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
    Answer a = answers.get(req.path());
    if (a == null) {
      req.response().setStatusCode(404).end();
      return;
    }
    if (a.hang()) {
      return; // never answers
    }
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    Runnable respond = () -> {
      concurrent.decrementAndGet();
      if (a.endless()) {
        req.response().setChunked(true).putHeader("Content-Type", a.contentType());
        Buffer chunk = Buffer.buffer("x".repeat(64 * 1024));
        long[] timer = new long[1];
        timer[0] = vertx.setPeriodic(1, id -> {
          if (req.response().closed()) {
            vertx.cancelTimer(timer[0]);
          } else if (!req.response().writeQueueFull()) {
            req.response().write(chunk);
          }
        });
        return;
      }
      req.response().setStatusCode(a.status()).putHeader("Content-Type", a.contentType()).end(Buffer.buffer(a.body()));
    };
    if (a.delayMs() > 0) {
      vertx.setTimer(a.delayMs(), id -> respond.run());
    } else {
      respond.run();
    }
  }

  @Override
  public void close() {
    Await.await(server.close());
  }
}
