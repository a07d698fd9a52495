package org.gputelemetry.pipeline.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.gputelemetry.pipeline.config.GatewaySettings;
import org.gputelemetry.pipeline.config.TimestampMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CSV upload routes: {@code POST /api/v1/csv/upload} streams the request body (raw
 * {@code text/csv}, or the first file part of a {@code multipart/form-data} body) to a file of the
 * upload's own, at most {@code gateway.upload.maxBytes}, then hands it to {@link CsvUploads} and
 * answers 202; {@code /api/v1/csv/uploads} lists, shows and deletes uploads. Memory stays bounded
 * whatever the body: bytes go to disk as they come, and reading pauses while the file's write queue
 * is full. The client's file name is never used for a path. Handlers run on the event loop.
 */
final class UploadApi {

  static final String UPLOAD = TelemetryApi.BASE + "/csv/upload";
  static final String UPLOADS = TelemetryApi.BASE + "/csv/uploads";
  /** Media types of a raw CSV body. */
  static final Set<String> CSV_TYPES = Set.of("text/csv", "application/csv");
  static final String MULTIPART = "multipart/form-data";
  /** What a multipart body may hold besides the file's bytes (boundaries, part headers, small fields). */
  static final long MULTIPART_SLACK = 64 * 1024;
  /** What a 429 tells the client to wait, in seconds. */
  static final int RETRY_AFTER_SECONDS = 5;
  /** How long a refused upload's connection stays open for the client to read the answer. */
  static final long LINGER_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(UploadApi.class);

  private final Vertx vertx;
  private final CsvUploads uploads;

  UploadApi(Vertx vertx, CsvUploads uploads) {
    this.vertx = vertx;
    this.uploads = uploads;
  }

  List<ApiRoute> routes(GatewaySettings.Upload settings) {
    long maxBytes = settings.maxBytes();
    int maxQueued = settings.maxQueued();
    JsonObject idParam = ApiSchemas.string();
    return List.of(
        ApiRoute.post(UPLOAD, "uploadCsv").tag("upload").secured()
            .summary("Upload a DCGM exporter CSV")
            .description("The file is the body (Content-Type text/csv or application/csv) or the first file part of "
                + "a multipart/form-data body. It is streamed to disk (at most " + maxBytes + " bytes: "
                + "gateway.upload.maxBytes), then read by the streamer's CSV reader and sent through the transport "
                + "like a streamer's batches, one upload at a time; poll GET " + UPLOADS + "/{id} for the outcome. "
                + "Rows the reader cannot use are counted by reason, the rest stored. With source timestamps the "
                + "store keeps each (GPU, metric, timestamp) once, so uploading a file twice stores nothing twice.")
            .query("timestamp_mode", "source (default): keep the CSV's timestamps; processing: stamp rows with "
                + "the time they are ingested", ApiSchemas.oneOf("source", "processing").put("default", "source"))
            .body("text/csv", ApiSchemas.string())
            .body(MULTIPART, new JsonObject().put("type", "object").put("properties", new JsonObject()
                .put("file", ApiSchemas.string().put("format", "binary")
                    .put("description", "the CSV; its file name is shown, never used for a path"))))
            .json(202, "received; queued for ingestion (Location: its status)", ApiSchemas.ref(ApiSchemas.UPLOAD_ACCEPTED))
            .error(400, "timestamp_mode is not source or processing, the body is empty, or a multipart body has no "
                + "file part or more than one")
            .error(413, "the body is larger than gateway.upload.maxBytes (by Content-Length, or while streaming); "
                + "nothing is kept")
            .error(415, "the Content-Type is neither text/csv, application/csv nor multipart/form-data")
            .error(429, "gateway.upload.maxQueued (" + maxQueued + ") uploads are being received or ingested; "
                + "Retry-After says when to try again")
            .handler(this::upload),
        ApiRoute.get(UPLOADS, "listCsvUploads").tag("upload").secured()
            .summary("CSV uploads")
            .description("Uploads queued, running and finished, oldest first. The gateway process keeps them in "
                + "memory (the newest " + CsvUploads.KEEP_FINISHED + " finished ones): a restarted gateway "
                + "knows none.")
            .json(200, "the uploads", ApiSchemas.ref(ApiSchemas.UPLOAD_LIST))
            .handler(this::list),
        ApiRoute.get(UPLOADS + "/{id}", "getCsvUpload").tag("upload").secured()
            .summary("One CSV upload")
            .pathParam("id", "the id POST " + UPLOAD + " answered", idParam)
            .json(200, "where the upload stands", ApiSchemas.ref(ApiSchemas.UPLOAD))
            .error(404, "no such upload (never made, deleted, forgotten, or made on another gateway process)")
            .handler(this::get),
        ApiRoute.delete(UPLOADS + "/{id}", "deleteCsvUpload").tag("upload").secured()
            .summary("Forget a finished CSV upload")
            .description("Removes the record of a done or failed upload (its rows stay stored).")
            .pathParam("id", "the upload's id", idParam)
            .response(204, "forgotten", null, null)
            .error(404, "no such upload")
            .error(409, "the upload is queued or running")
            .handler(this::delete));
  }

  private void list(RoutingContext ctx) {
    JsonArray arr = new JsonArray();
    for (CsvUpload u : uploads.list()) {
      arr.add(u.toJson());
    }
    ctx.json(new JsonObject().put("count", arr.size()).put("uploads", arr));
  }

  private void get(RoutingContext ctx) {
    ctx.json(known(ctx).toJson());
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (uploads.remove(id) == null) {
      throw unknown(id);
    }
    ctx.response().setStatusCode(204).end();
  }

  private CsvUpload known(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    CsvUpload u = uploads.get(id);
    if (u == null) {
      throw unknown(id);
    }
    return u;
  }

  private static ApiException unknown(String id) {
    return new ApiException(404, "no upload '" + ApiException.clip(id) + "' (unknown, deleted, or forgotten)");
  }

  private void upload(RoutingContext ctx) {
    try {
      receive(ctx);
    } catch (ApiException e) {
      refuse(ctx, e);
    }
  }

  private void receive(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    TimestampMode mode = timestampMode(req.getParam("timestamp_mode"));
    String media = mediaType(req.getHeader("Content-Type"));
    boolean multipart = media.equals(MULTIPART);
    if (!multipart && !CSV_TYPES.contains(media)) {
      throw new ApiException(415, "Content-Type must be text/csv, application/csv or " + MULTIPART + ", got '"
          + ApiException.clip(media.isEmpty() ? "none" : media) + "'");
    }
    long max = uploads.settings().maxBytes();
    String length = req.getHeader("Content-Length");
    if (length != null && declared(length) > max) {
      throw tooLarge(max);
    }
    CsvUpload upload = uploads.reserve(mode);
    if (upload == null) {
      ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
      throw new ApiException(429, "too many uploads in progress (gateway.upload.maxQueued is "
          + uploads.settings().maxQueued() + "); try again later");
    }
    req.pause();
    if (multipart) {
      req.setExpectMultipart(true);
    }
    vertx.fileSystem().open(upload.file().toString(), new OpenOptions().setWrite(true).setCreateNew(true))
        .onFailure(e -> {
          uploads.abandon(upload);
          LOG.warn("Cannot write upload file {}: {}", upload.file(), e.toString());
          refuse(ctx, new ApiException(503, "cannot write the upload to gateway.upload.dir"));
        })
        .onSuccess(file -> {
          if ("100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
            ctx.response().writeContinue();
          }
          new Receiver(ctx, upload, file, max, multipart).start();
        });
  }

  /**
   * Answers {@code e} and closes the connection shortly after: the rest of the body is read and
   * dropped meanwhile (so the client gets to read the answer), never kept.
   */
  private void refuse(RoutingContext ctx, ApiException e) {
    HttpServerRequest req = ctx.request();
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.putHeader("Connection", "close");
    resp.endHandler(v -> vertx.setTimer(LINGER_MS, t -> req.connection().close()));
    if (!req.isEnded()) {
      req.handler(b -> { });
      req.resume();
    }
    TelemetryApi.fail(ctx, e);
  }

  static TimestampMode timestampMode(String v) {
    if (v == null || v.isBlank() || v.equals("source")) {
      return TimestampMode.SOURCE;
    }
    if (v.equals("processing")) {
      return TimestampMode.PROCESSING;
    }
    throw ApiException.badParameter("timestamp_mode", "expected source or processing, got '" + ApiException.clip(v)
        + "'");
  }

  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static long declared(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // Netty refuses a malformed Content-Length before we see it
    }
  }

  static ApiException tooLarge(long max) {
    return new ApiException(413, "the upload is larger than gateway.upload.maxBytes (" + max + " bytes)");
  }

  /** Streams one request's body to the upload's file, then submits it; on any failure deletes it. */
  private final class Receiver {
    private final RoutingContext ctx;
    private final CsvUpload upload;
    private final AsyncFile file;
    private final long max;
    private final boolean multipart;
    private long bytes;
    private int parts;
    private boolean over;
    private boolean ended;
    private boolean requestEnded;
    private boolean partOpen;

    Receiver(RoutingContext ctx, CsvUpload upload, AsyncFile file, long max, boolean multipart) {
      this.ctx = ctx;
      this.upload = upload;
      this.file = file;
      this.max = max;
      this.multipart = multipart;
    }

    void start() {
      HttpServerRequest req = ctx.request();
      req.exceptionHandler(e -> fail(null));
      file.exceptionHandler(e -> {
        LOG.warn("Cannot write upload file {}: {}", upload.file(), e.toString());
        fail(new ApiException(503, "cannot write the upload to gateway.upload.dir"));
      });
      ctx.response().closeHandler(v -> fail(null));
      if (multipart) {
        // the whole body counts too: boundaries, headers and form fields around the file part
        req.handler(raw -> {
          if (!over && req.bytesRead() > max + MULTIPART_SLACK) {
            over = true;
            fail(tooLarge(max));
          }
        });
        req.uploadHandler(this::part);
      } else {
        stream(req);
      }
      req.endHandler(v -> requestEnded());
      req.resume();
      if (req.isEnded()) {
        requestEnded(); // a body that had ended before its handlers were set (Content-Length: 0)
      }
    }

    private void part(HttpServerFileUpload part) {
      if (++parts > 1) {
        part.handler(b -> { });
        fail(ApiException.badParameter("file", "one file per upload; this body has more than one file part"));
        return;
      }
      upload.filename(part.filename());
      partOpen = true;
      stream(part);
      // the request may end before the part's last bytes are handed over: finish after both
      part.endHandler(v -> {
        partOpen = false;
        if (requestEnded) {
          finished();
        }
      });
    }

    private void stream(ReadStream<Buffer> body) {
      body.handler(chunk -> {
        if (over) {
          return;
        }
        bytes += chunk.length();
        if (bytes > max) {
          over = true;
          fail(tooLarge(max));
          return;
        }
        file.write(chunk);
        if (file.writeQueueFull()) {
          body.pause();
          file.drainHandler(v -> body.resume());
        }
      });
    }

    private void requestEnded() {
      requestEnded = true;
      if (!partOpen) {
        finished();
      }
    }

    private void finished() {
      if (ended || over || upload.status() != CsvUpload.Status.RECEIVING) {
        return;
      }
      ended = true;
      ApiException refused = bytes == 0 ? new ApiException(400, "the upload is empty")
          : multipart && parts == 0 ? ApiException.badParameter("file", "the multipart body has no file part")
          : null;
      if (refused != null) {
        fail(refused);
        return;
      }
      file.close().onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("Cannot write upload file {}: {}", upload.file(), ar.cause().toString());
          fail(new ApiException(503, "cannot write the upload to gateway.upload.dir"));
          return;
        }
        upload.bytes(bytes);
        uploads.submit(upload);
        ctx.response().setStatusCode(202).putHeader("Location", UPLOADS + "/" + upload.id());
        ctx.json(new JsonObject().put("id", upload.id()).put("status", upload.status().label()).put("bytes", bytes));
      });
    }

    /** Deletes the partial file and forgets the upload; answers {@code failure} unless it is null. */
    private void fail(ApiException failure) {
      over = true; // nothing more is written
      if (!uploads.isReceiving(upload)) {
        return;
      }
      uploads.abandon(upload);
      file.close().onComplete(v -> vertx.executeBlocking(() -> {
        CsvUploads.delete(upload.file());
        return null;
      }, false));
      if (failure != null) {
        refuse(ctx, failure);
      }
    }
  }
}
