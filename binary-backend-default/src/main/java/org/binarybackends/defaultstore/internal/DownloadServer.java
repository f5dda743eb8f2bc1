package org.binarybackends.defaultstore.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.RangeNotSatisfiableException;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.DownloadAuthorization;
import org.binarybackends.defaultstore.DownloadTokens;
import org.binarybackends.spi.GaugeSet;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded download server: GET and HEAD of signed URLs, on Netty's non-blocking transport.
 *
 * <p>Why Netty: a handful of event-loop threads serve thousands of connections (a device on a bad
 * link holds a connection, not a thread), and a {@link DefaultFileRegion} hands the file to the
 * kernel ({@code sendfile}), so bytes go from the page cache to the socket without a copy through
 * the JVM. Jetty 12 has no such path. The JDK's {@code com.sun.net.httpserver}, used before, took a
 * thread per connection and kept a write buffer per aborted exchange.
 *
 * <p>Serves {@code Range} (one range) and {@code If-Range} against a strong {@code ETag}, the
 * binary's SHA-256: a resumed download whose binary changed meanwhile gets the whole new version
 * (200), never a mix of two. One version is opened per request and its file descriptor is what is
 * sent, so headers and bytes agree even if the key is overwritten during the transfer. 403 for a
 * bad, expired or foreign token, 404 for a missing binary, 416 for an unsatisfiable or malformed
 * range, 405 for other methods, 400 for a request that does not parse, 414 and 431 for a request
 * line or headers over 8 KiB and 16 KiB. Logs show URLs with their query (the signature) redacted.
 *
 * <p>Limits (settings, with defaults in {@link DefaultStorageSettings}): at most {@code
 * maxConnections} open connections, one more answered {@code 503} with {@code Retry-After} and
 * closed; a connection whose request headers are not complete {@code requestHeaderTimeout} after it
 * opened (or after its previous response) is closed, whatever trickle of bytes it sends; a download
 * whose client has accepted no byte for {@code sendStallTimeout} is closed, while one reading
 * steadily at any rate is served to the end. Memory per connection is bounded by the decoder's
 * limits: a response body is a file region, never a heap buffer. One request at a time per
 * connection; pipelined requests wait their turn (at most {@value #MAX_QUEUED_REQUESTS}).
 */
final class DownloadServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadServer.class);
  private static final int MAX_INITIAL_LINE = 8 << 10;
  private static final int MAX_HEADERS = 16 << 10;
  private static final int MAX_QUEUED_REQUESTS = 16;

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final String basePath;
  private final Instrumentation.Registration connectionsGauge;

  private DownloadServer(EventLoopGroup group, Channel serverChannel, ChannelGroup connections, String basePath,
      Instrumentation.Registration connectionsGauge) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.basePath = basePath;
    this.connectionsGauge = connectionsGauge;
  }

  /** What the server reports: bytes sent, downloads aborted, connections closed for a timeout. */
  static final class Meters {
    final Instrumentation.Counter bytes;
    final Instrumentation.Counter aborted;
    final Instrumentation.Counter headerTimeouts;
    final Instrumentation.Counter stallTimeouts;
    final Instrumentation.Counter refused;

    Meters(Instrumentation m) {
      bytes = m.counter("binary.backend.download.bytes", "Bytes of binaries sent by the download server", "bytes",
          MetricTags.empty());
      aborted = m.counter("binary.backend.download.aborted", "Downloads that ended before their last byte was sent"
          + " (the client went away, or was closed for a stall)", null, MetricTags.empty());
      headerTimeouts = m.counter("binary.backend.download.timeouts", "Connections closed for a timeout", null,
          MetricTags.of("timeout", "request_header"));
      stallTimeouts = m.counter("binary.backend.download.timeouts", "Connections closed for a timeout", null,
          MetricTags.of("timeout", "send_stall"));
      refused = m.counter("binary.backend.download.refused", "Connections refused over the connection limit", null,
          MetricTags.empty());
    }
  }

  static DownloadServer start(DefaultStorageBackend backend, DownloadTokens tokens, DefaultStorageSettings settings,
      String basePath, Instrumentation instrumentation) {
    Meters meters = new Meters(instrumentation);
    String base = basePath.endsWith("/") ? basePath : basePath + "/";
    InetSocketAddress address = settings.downloadServerAddress().orElseThrow();
    // 0 is one thread per processor the JVM may run on; Netty's own 0 would mean two per processor,
    // which only take turns on each core (see benchmarks/README.md, "Download server beside nginx")
    int threads = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
        new DefaultThreadFactory("binary-download", true), NioIoHandler.newFactory());
    ChannelGroup connections = new DefaultChannelGroup("binary-download", GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // the group drops a channel once it is closed: its size is the open connections
            connections.add(ch);
            if (connections.size() > settings.maxConnections()) {
              meters.refused.increment();
              refuse(ch, settings.maxConnections());
              return;
            }
            if (settings.socketSendBufferBytes() > 0) {
              ch.config().setSendBufferSize(settings.socketSendBufferBytes());
            }
            ch.pipeline()
                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                    .setMaxInitialLineLength(MAX_INITIAL_LINE).setMaxHeaderSize(MAX_HEADERS)))
                .addLast("download", new Connection(backend, tokens, settings, base, meters));
          }
        });
    Channel serverChannel;
    try {
      serverChannel = bootstrap.bind(address).syncUninterruptibly().channel();
    } catch (Exception e) { // Netty rethrows the bind's checked BindException undeclared

      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new BinaryBackendException("cannot start the download server on " + address + ": " + e.getMessage(), e);
    }
    Instrumentation.Registration gauge = GaugeSet.of(instrumentation, "binary.backend.download.connections",
        "Connections open to the download server", null, MetricTags.empty(), GaugeSet.Reduce.SUM)
        .add(connections::size);
    DownloadServer server = new DownloadServer(group, serverChannel, connections, base, gauge);
    LOG.info("Download server listening on {}", server.localUri());
    return server;
  }

  /** A connection over the limit: a plain 503, written before any decoding, then closed. */
  private static void refuse(SocketChannel ch, int limit) {
    byte[] body = ("too many connections (the limit is " + limit + "): retry shortly\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
    ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
    ch.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  URI localUri() {
    InetSocketAddress a = (InetSocketAddress) serverChannel.localAddress();
    InetAddress host = a.getAddress();
    String h = host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : host.getHostAddress();
    if (h.indexOf(':') >= 0) {
      h = "[" + h + "]";
    }
    return URI.create("http://" + h + ":" + a.getPort() + basePath);
  }

  /** Connections open now, counting one being refused until it is closed. */
  int openConnections() {
    return connections.size();
  }

  @Override
  public void close() {
    connectionsGauge.close();
    serverChannel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * One connection's requests, one at a time, on its event loop (so without locks). Not sharable.
   */
  private static final class Connection extends SimpleChannelInboundHandler<HttpObject> {
    private final DefaultStorageBackend backend;
    private final DownloadTokens tokens;
    private final String basePath;
    private final long headerTimeoutNanos;
    private final long stallTimeoutNanos;
    private final Meters meters;
    private final ArrayDeque<HttpRequest> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> headerTimer;
    private ScheduledFuture<?> stallWatch;
    private boolean responding;
    private boolean ignoringBody;
    // the stall watch's last look at the outbound buffer
    private Object lastCurrent;
    private long lastProgress;
    private long lastPending;
    private long lastMovedAt;

    Connection(DefaultStorageBackend backend, DownloadTokens tokens, DefaultStorageSettings settings, String basePath,
        Meters meters) {
      super(false);
      this.meters = meters;
      this.backend = backend;
      this.tokens = tokens;
      this.basePath = basePath;
      this.headerTimeoutNanos = settings.requestHeaderTimeout().toNanos();
      this.stallTimeoutNanos = settings.sendStallTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      armHeaderTimer();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel(headerTimer);
      cancel(stallWatch);
      queued.clear();
      ctx.fireChannelInactive();
    }

    private void armHeaderTimer() {
      cancel(headerTimer);
      headerTimer = ctx.executor().schedule(() -> {
        LOG.debug("Closing {}: no complete request within {} ms", ctx.channel().remoteAddress(),
            TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
        meters.headerTimeouts.increment();
        ctx.close();
      }, headerTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private static void cancel(ScheduledFuture<?> f) {
      if (f != null) {
        f.cancel(false);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      try {
        if (msg instanceof HttpRequest) {
          cancel(headerTimer);
          HttpRequest request = (HttpRequest) msg;
          if (responding) {
            if (queued.size() >= MAX_QUEUED_REQUESTS) {
              ctx.close();
              return;
            }
            queued.add(request);
            return;
          }
          handle(request);
        }
        // bodies (of methods answered 405, which then close) and the empty last content of a GET
      } finally {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof IOException) {
        LOG.debug("Connection {} ended: {}", ctx.channel().remoteAddress(), cause.toString()); // the client went away
      } else {
        LOG.warn("Connection {} failed", ctx.channel().remoteAddress(), cause);
      }
      ctx.close();
    }

    private void handle(HttpRequest request) {
      responding = true;
      ctx.channel().config().setAutoRead(false); // one request at a time: read the next once this is answered
      DecoderResult decoded = request.decoderResult();
      if (decoded.isFailure()) {
        Throwable cause = decoded.cause();
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
            : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
            : HttpResponseStatus.BAD_REQUEST;
        sendText(request, status, "malformed request", false);
        return;
      }
      String redacted = SignedUrl.redact(request.uri());
      HttpMethod method = request.method();
      boolean head = HttpMethod.HEAD.equals(method);
      if (!head && !HttpMethod.GET.equals(method)) {
        HttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD");
        r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(request, r, false); // its body, if any, is not read: close after the answer
        return;
      }
      URI uri;
      try {
        uri = new URI(request.uri());
      } catch (URISyntaxException e) {
        sendText(request, HttpResponseStatus.BAD_REQUEST, "malformed request target", false);
        return;
      }
      String rawPath = uri.getRawPath();
      String below = rawPath != null && rawPath.startsWith(basePath) ? rawPath.substring(basePath.length()) : null;
      DownloadAuthorization auth = tokens.check(below, uri.getRawQuery());
      if (!auth.granted()) {
        LOG.debug("403 {} {}: {}", method, redacted, auth);
        sendText(request, HttpResponseStatus.FORBIDDEN, "forbidden: " + auth.reason(), true);
        return;
      }
      serve(request, auth, head, redacted);
    }

    private void serve(HttpRequest request, DownloadAuthorization auth, boolean head, String redacted) {
      DefaultStorageBackend.OpenVersion version;
      try {
        version = backend.openVersion(auth.organization(), auth.key());
      } catch (BinaryNotFoundException e) {
        sendText(request, HttpResponseStatus.NOT_FOUND, "not found", true);
        return;
      } catch (BinaryBackendException e) {
        LOG.warn("Download {} failed: {}", redacted, e.getMessage());
        sendText(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "storage unavailable", true);
        return;
      }
      FileChannel file = version.channel();
      boolean handedOver = false;
      try {
        StoredBinary binary = version.binary();
        String etag = "\"" + binary.sha256().hex() + "\"";
        HttpHeaders in = request.headers();
        String rangeHeader = in.get(HttpHeaderNames.RANGE);
        String ifRange = in.get(HttpHeaderNames.IF_RANGE);
        if (rangeHeader != null && ifRange != null && !ifRange.trim().equals(etag)) {
          rangeHeader = null; // the client holds another version (or a date): send this one whole
        }
        ByteRange range;
        ByteRange.Resolved resolved;
        try {
          range = HttpRange.parse(rangeHeader);
          resolved = range.resolve(binary.size());
        } catch (HttpRange.Malformed | RangeNotSatisfiableException e) {
          HttpResponse r = text(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
              "range not satisfiable: the binary has " + binary.size() + " bytes");
          r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + binary.size());
          validators(r.headers(), binary, etag);
          send(request, r, true);
          return;
        }
        HttpResponseStatus status = range.isAll() ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpHeaders h = response.headers();
        validators(h, binary, etag);
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        h.set(HttpHeaderNames.CONTENT_LENGTH, resolved.length());
        if (status == HttpResponseStatus.PARTIAL_CONTENT) {
          h.set(HttpHeaderNames.CONTENT_RANGE,
              "bytes " + resolved.offset() + "-" + resolved.lastByte() + "/" + binary.size());
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);
        if (!head && resolved.length() > 0) {
          LOG.debug("{} GET {}: sending {} bytes from {}", status.code(), redacted, resolved.length(), resolved.offset());
          // the region owns the descriptor from here: Netty closes it when the write ends or fails
          DefaultFileRegion region = new DefaultFileRegion(file, ObjectFile.HEADER_BYTES + resolved.offset(),
              resolved.length());
          ctx.write(region).addListener(f -> {
            meters.bytes.increment(region.transferred()); // as far as the client took them
            if (!f.isSuccess()) {
              meters.aborted.increment();
            }
          });
          handedOver = true;
        }
        finish(keepAlive);
      } finally {
        if (!handedOver) {
          closeQuietly(file);
        }
      }
    }

    private static void validators(HttpHeaders h, StoredBinary binary, String etag) {
      h.set(HttpHeaderNames.ETAG, etag);
      h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
      h.set(HttpHeaderNames.LAST_MODIFIED,
          DateTimeFormatter.RFC_1123_DATE_TIME.format(binary.storedAt().atOffset(ZoneOffset.UTC)));
      h.set(HttpHeaderNames.CACHE_CONTROL, "private, no-transform");
    }

    private static HttpResponse text(HttpResponseStatus status, String text) {
      ByteBuf body = Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8);
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      return r;
    }

    private void sendText(HttpRequest request, HttpResponseStatus status, String text, boolean mayKeepAlive) {
      send(request, text(status, text), mayKeepAlive);
    }

    private void send(HttpRequest request, HttpResponse response, boolean mayKeepAlive) {
      boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      if (HttpMethod.HEAD.equals(request.method()) && response instanceof DefaultFullHttpResponse) {
        // the same headers, Content-Length included, without the body
        DefaultFullHttpResponse full = (DefaultFullHttpResponse) response;
        HttpResponse headOnly = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
        full.release();
        ctx.write(headOnly);
        finish(keepAlive);
        return;
      }
      if (response instanceof DefaultFullHttpResponse) {
        // closed (if not kept alive) once written, never before: a close fails writes still pending
        startStallWatch();
        ctx.writeAndFlush(response).addListener(f -> afterResponse(f, keepAlive));
        return;
      }
      ctx.write(response);
      finish(keepAlive);
    }

    /** Ends the response with its last (empty) content and watches it until it is written. */
    private void finish(boolean keepAlive) {
      startStallWatch();
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> afterResponse(f, keepAlive));
    }

    private void afterResponse(io.netty.util.concurrent.Future<?> written, boolean keepAlive) {
      cancel(stallWatch);
      if (!written.isSuccess() || !keepAlive) {
        if (!written.isSuccess()) {
          LOG.debug("Download to {} ended early: {}", ctx.channel().remoteAddress(), String.valueOf(written.cause()));
        }
        ctx.close();
        return;
      }
      responding = false;
      HttpRequest next = queued.poll();
      if (next != null) {
        handle(next);
        return;
      }
      armHeaderTimer();
      ctx.channel().config().setAutoRead(true);
    }

    /**
     * Closes the connection once the client has accepted no byte for the stall timeout, judged by
     * the progress of the write in Netty's outbound buffer (what its {@code IdleStateHandler} reads
     * with {@code observeOutput}). That handler is not used as it is: its writer-idle event also
     * fires between requests and after a response, where the header timer is the rule, so this
     * watch runs only while a response is being written. Bytes the kernel takes count as accepted:
     * a client reading slowly through a small receive window keeps it going; one whose window stays
     * shut (it stopped reading) is closed. When nothing moved since its last look, the watch also
     * tries a write: Linux reports a socket writable only once a third of its send buffer is free,
     * so a client reading 1 KiB/s would otherwise show no progress for seconds at a time although
     * the kernel would take its bytes as soon as any space is free ({@code forceFlush} is what
     * Netty's own event loop calls on writability). (On loopback, with 64 KiB segments, a client with a large
     * receive buffer reading 1 KiB/s opens its window only once a minute: the default timeout is
     * 60 s; real links, with segments of at most 9 KB, update it every few seconds.)
     */
    private void startStallWatch() {
      cancel(stallWatch);
      lastCurrent = null;
      lastProgress = -1;
      lastPending = -1;
      lastMovedAt = System.nanoTime();
      long every = Math.max(TimeUnit.MILLISECONDS.toNanos(20), stallTimeoutNanos / 8);
      stallWatch = ctx.executor().scheduleAtFixedRate(this::checkStall, every, every, TimeUnit.NANOSECONDS);
    }

    private void checkStall() {
      Channel ch = ctx.channel();
      ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
      if (out == null) {
        return; // closed
      }
      Object current = out.current();
      long progress = out.currentProgress();
      long pending = out.totalPendingWriteBytes();
      long now = System.nanoTime();
      if (current != lastCurrent || progress != lastProgress || pending != lastPending) {
        lastCurrent = current;
        lastProgress = progress;
        lastPending = pending;
        lastMovedAt = now;
        return;
      }
      if (now - lastMovedAt >= stallTimeoutNanos) {
        LOG.debug("Closing {}: the client accepted no bytes for {} ms", ch.remoteAddress(),
            TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos));
        meters.stallTimeouts.increment();
        ctx.close();
        return;
      }
      if (current != null && ch.unsafe() instanceof AbstractNioChannel.NioUnsafe) {
        ((AbstractNioChannel.NioUnsafe) ch.unsafe()).forceFlush();
      }
    }

    private static void closeQuietly(FileChannel file) {
      try {
        file.close();
      } catch (IOException e) {
        LOG.debug("Closing a served file failed: {}", e.toString());
      }
    }
  }
}
