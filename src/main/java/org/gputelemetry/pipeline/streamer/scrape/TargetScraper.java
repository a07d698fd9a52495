package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeTarget;
import org.gputelemetry.pipeline.config.ScrapeSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.gputelemetry.pipeline.model.Timestamps;

/**
 * Scrapes one target: GET with a deadline over the whole request, a bounded body (a longer one is
 * refused mid-stream, never buffered past the limit; a gzip body is bounded after decompression),
 * then parse and map. Uses Vert.x core's {@link HttpClient}, one keep-alive connection per target.
 *
 * <p>Thread-safe: results complete on the Vert.x context of the caller; the parser and mapping
 * are held per thread (event loops are few, and each keeps its own string and GPU caches). A
 * body is parsed on the event loop: a dcgm-exporter body is tens of KiB, parsed in well under a
 * millisecond (see {@code ScrapeParseBench}).
 */
public final class TargetScraper implements AutoCloseable {

  /** The User-Agent we send, so an exporter's logs say who is scraping. */
  public static final String USER_AGENT = "gpu-telemetry-pipeline-streamer";

  private final Vertx vertx;
  private final HttpClient client;
  private final ScrapeSettings settings;
  private final ThreadLocal<DcgmExporterMapping> mappings;

  public TargetScraper(Vertx vertx, ScrapeSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(16 * 1024);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1));
    this.mappings = ThreadLocal.withInitial(() -> new DcgmExporterMapping(settings.uuidLabel(), ExpositionLimits.DEFAULT));
  }

  /** Fails with a {@link ScrapeException} saying why; never with anything else. */
  public Future<ScrapeResult> scrape(ScrapeTarget target) {
    long t0 = System.nanoTime();
    long startedMicros = Timestamps.nowMicros();
    long timeoutMs = settings.timeout().toMillis();
    Promise<ScrapeResult> promise = Promise.promise();
    AtomicReference<HttpClientRequest> request = new AtomicReference<>();
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (promise.tryFail(new ScrapeException(ScrapeException.Kind.TIMEOUT, "timed out after " + timeoutMs + " ms", null))) {
        HttpClientRequest r = request.get();
        if (r != null) {
          r.reset();
        }
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(target.url())
        .setConnectTimeout(timeoutMs)
        .putHeader(HttpHeaders.ACCEPT, ExpositionFormat.ACCEPT)
        .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
    Future<HttpClientResponse> sent;
    try {
      sent = client.request(options).compose(req -> {
        request.set(req);
        req.exceptionHandler(e -> { }); // failures arrive through send()'s future; a reset is ours
        if (promise.future().isComplete()) { // the deadline passed while connecting
          req.reset();
        }
        return req.send();
      });
    } catch (RuntimeException e) { // a URL Vert.x cannot use
      sent = Future.failedFuture(e);
    }
    sent.onComplete(ar -> {
      if (ar.failed()) {
        vertx.cancelTimer(timer);
        promise.tryFail(classify(ar.cause(), timeoutMs));
        return;
      }
      HttpClientResponse response = ar.result();
      if (promise.future().isComplete()) {
        abort(response);
        return;
      }
      if (response.statusCode() != 200) {
        vertx.cancelTimer(timer);
        abort(response);
        promise.tryFail(new ScrapeException(ScrapeException.Kind.HTTP_STATUS,
            "HTTP " + response.statusCode() + " " + response.statusMessage(), null));
        return;
      }
      long declared = contentLength(response);
      if (declared > settings.maxResponseBytes() && response.getHeader(HttpHeaders.CONTENT_ENCODING) == null) {
        vertx.cancelTimer(timer);
        abort(response);
        promise.tryFail(tooLarge());
        return;
      }
      Buffer body = Buffer.buffer((int) Math.max(4096, Math.min(declared, settings.maxResponseBytes())));
      response.handler(chunk -> {
        if (promise.future().isComplete()) {
          return;
        }
        if ((long) body.length() + chunk.length() > settings.maxResponseBytes()) {
          vertx.cancelTimer(timer);
          promise.tryFail(tooLarge());
          abort(response);
          return;
        }
        body.appendBuffer(chunk);
      });
      response.exceptionHandler(e -> {
        vertx.cancelTimer(timer);
        promise.tryFail(classify(e, timeoutMs));
      });
      response.endHandler(v -> {
        vertx.cancelTimer(timer);
        if (promise.future().isComplete()) {
          return;
        }
        ExpositionFormat format = ExpositionFormat.fromContentType(response.getHeader(HttpHeaders.CONTENT_TYPE));
        byte[] bytes = body.getBytes();
        DcgmExporterMapping.Result mapped = mappings.get().map(bytes, format, target.hostname(), startedMicros);
        promise.tryComplete(new ScrapeResult(target, mapped.samples(), mapped.rejects(), format, startedMicros,
            System.nanoTime() - t0, bytes.length, mapped.gpuUuids()));
      });
    });
    return promise.future();
  }

  /** Drops the connection without reading on; the reset it causes is ours, not an error to log. */
  private static void abort(HttpClientResponse response) {
    response.exceptionHandler(e -> { });
    response.handler(null);
    response.request().reset();
  }

  private ScrapeException tooLarge() {
    return new ScrapeException(ScrapeException.Kind.TOO_LARGE,
        "response larger than " + settings.maxResponseBytes() + " bytes, refused", null);
  }

  private static long contentLength(HttpClientResponse response) {
    String text = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static ScrapeException classify(Throwable e, long timeoutMs) {
    if (e instanceof ScrapeException s) {
      return s;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof TimeoutException || e instanceof io.netty.channel.ConnectTimeoutException) {
      return new ScrapeException(ScrapeException.Kind.TIMEOUT, "timed out after " + timeoutMs + " ms: " + message, e);
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException) {
      return new ScrapeException(ScrapeException.Kind.CONNECT, message, e);
    }
    return new ScrapeException(ScrapeException.Kind.IO, message, e);
  }

  @Override
  public void close() {
    client.close();
  }
}
