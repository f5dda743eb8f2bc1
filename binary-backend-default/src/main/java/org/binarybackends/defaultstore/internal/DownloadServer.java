package org.binarybackends.defaultstore.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.RangeNotSatisfiableException;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DownloadAuthorization;
import org.binarybackends.defaultstore.DownloadTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded download server: GET and HEAD of signed URLs, built only on the public pieces any
 * HTTP framework could use ({@link DownloadTokens#check} and {@link BinaryBackend#read}).
 *
 * <p>Serves {@code Range} (one range) and {@code If-Range} against a strong {@code ETag}, the
 * binary's SHA-256: a resumed download whose binary changed meanwhile gets the whole new version
 * (200), never a mix of two. One version is opened per request, so headers and bytes agree even if
 * the key is overwritten during the transfer. 403 for a bad, expired or foreign token, 404 for a
 * missing binary, 416 for an unsatisfiable or malformed range, 405 for other methods. Logs show
 * URLs with their query (the signature) redacted.
 */
final class DownloadServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadServer.class);
  private static final int MAX_THREADS = 256;

  private final HttpServer http;
  private final ExecutorService executor;
  private final BinaryBackend backend;
  private final DownloadTokens tokens;
  private final String basePath;
  private final int bufferSize;

  private DownloadServer(HttpServer http, ExecutorService executor, BinaryBackend backend, DownloadTokens tokens,
      String basePath, int bufferSize) {
    this.http = http;
    this.executor = executor;
    this.backend = backend;
    this.tokens = tokens;
    this.basePath = basePath;
    this.bufferSize = bufferSize;
  }

  static DownloadServer start(BinaryBackend backend, DownloadTokens tokens, InetSocketAddress address,
      String basePath, int bufferSize) {
    String base = basePath.endsWith("/") ? basePath : basePath + "/";
    HttpServer http;
    try {
      http = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new BinaryBackendException("cannot start the download server on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "binary-download-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    DownloadServer server = new DownloadServer(http, executor, backend, tokens, base, bufferSize);
    http.createContext(base, server::handle);
    http.setExecutor(executor);
    http.start();
    LOG.info("Download server listening on {}", server.localUri());
    return server;
  }

  URI localUri() {
    InetSocketAddress a = http.getAddress();
    InetAddress host = a.getAddress();
    String h = host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : host.getHostAddress();
    if (h.indexOf(':') >= 0) {
      h = "[" + h + "]";
    }
    return URI.create("http://" + h + ":" + a.getPort() + basePath);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String redacted = SignedUrl.redact(exchange.getRequestURI().toString());
    try (exchange) {
      String method = exchange.getRequestMethod();
      boolean head = "HEAD".equals(method);
      if (!head && !"GET".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        sendText(exchange, 405, "only GET and HEAD");
        return;
      }
      String rawPath = exchange.getRequestURI().getRawPath();
      String below = rawPath.startsWith(basePath) ? rawPath.substring(basePath.length()) : null;
      DownloadAuthorization auth = tokens.check(below, exchange.getRequestURI().getRawQuery());
      if (!auth.granted()) {
        LOG.debug("403 {} {}: {}", method, redacted, auth);
        sendText(exchange, 403, "forbidden: " + auth.reason());
        return;
      }
      serve(exchange, auth, head, redacted);
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("Download {} ended early: {}", redacted, e.toString()); // usually the client went away
    } catch (RuntimeException e) {
      LOG.warn("Download {} failed", redacted, e);
      throw e;
    }
  }

  private void serve(HttpExchange exchange, DownloadAuthorization auth, boolean head, String redacted)
      throws IOException {
    BinaryContent content;
    try {
      content = backend.read(auth.organization(), auth.key(), ByteRange.all());
    } catch (BinaryNotFoundException e) {
      sendText(exchange, 404, "not found");
      return;
    } catch (BinaryBackendException e) {
      LOG.warn("Download {} failed: {}", redacted, e.getMessage());
      sendText(exchange, 503, "storage unavailable");
      return;
    }
    try (content) {
      StoredBinary binary = content.binary();
      String etag = "\"" + binary.sha256().hex() + "\"";
      Headers h = exchange.getResponseHeaders();
      h.set("ETag", etag);
      h.set("Accept-Ranges", "bytes");
      h.set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(binary.storedAt().atOffset(ZoneOffset.UTC)));
      h.set("Cache-Control", "private, no-transform");
      Headers request = exchange.getRequestHeaders();
      String rangeHeader = request.getFirst("Range");
      String ifRange = request.getFirst("If-Range");
      if (rangeHeader != null && ifRange != null && !ifRange.trim().equals(etag)) {
        rangeHeader = null; // the client holds another version (or a date): send this one whole
      }
      ByteRange range;
      ByteRange.Resolved resolved;
      try {
        range = HttpRange.parse(rangeHeader);
        resolved = range.resolve(binary.size());
      } catch (HttpRange.Malformed | RangeNotSatisfiableException e) {
        h.set("Content-Range", "bytes */" + binary.size());
        sendText(exchange, 416, "range not satisfiable: the binary has " + binary.size() + " bytes");
        return;
      }
      h.set("Content-Type", "application/octet-stream");
      int status = range.isAll() ? 200 : 206;
      if (status == 206) {
        h.set("Content-Range", "bytes " + resolved.offset() + "-" + resolved.lastByte() + "/" + binary.size());
      }
      if (head) {
        h.set("Content-Length", Long.toString(resolved.length()));
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      LOG.debug("{} GET {}: sending {} bytes from {}", status, redacted, resolved.length(), resolved.offset());
      exchange.sendResponseHeaders(status, resolved.length() == 0 ? -1 : resolved.length());
      InputStream in = content.stream();
      in.skipNBytes(resolved.offset());
      copy(in, exchange.getResponseBody(), resolved.length());
    }
  }

  private void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[bufferSize];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("binary ended " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
    out.flush();
  }

  private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
