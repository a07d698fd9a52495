package org.gputelemetry.pipeline.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP connection to an HTTP server, for what an HTTP client library will not do: send
 * bytes as they are (a request dripped byte by byte, an over-long line), hold a connection idle,
 * and tell whether the server closed it.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  public static RawHttp connect(int port) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      return new RawHttp(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} as ISO-8859-1 bytes; false when the server has closed the connection. */
  public boolean send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends a GET of {@code uri} with {@code Connection: close} and returns the whole answer (headers and body). */
  public String get(String uri, int seconds) {
    send("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return readAll(seconds);
  }

  /** Everything until the server closes the connection, or fails after {@code seconds}. */
  public String readAll(int seconds) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout(seconds * 1000);
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open for " + seconds + "s; read: "
          + out.toString(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      // reset by the server: closed as well
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether the server closes the connection within {@code millis}, reading and discarding what it sends. */
  public boolean closedWithin(long millis) {
    try {
      socket.setSoTimeout((int) millis);
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[8192];
      long deadline = System.nanoTime() + millis * 1_000_000;
      while (System.nanoTime() < deadline) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** The status code of a raw answer. */
  public static int status(String answer) {
    if (!answer.startsWith("HTTP/1.1 ") && !answer.startsWith("HTTP/1.0 ")) {
      throw new AssertionError("not an HTTP answer: " + answer);
    }
    return Integer.parseInt(answer.substring(9, 12));
  }

  /** The body of a raw answer (after the blank line). */
  public static String body(String answer) {
    int i = answer.indexOf("\r\n\r\n");
    return i < 0 ? "" : answer.substring(i + 4);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
