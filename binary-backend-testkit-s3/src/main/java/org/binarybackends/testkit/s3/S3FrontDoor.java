package org.binarybackends.testkit.s3;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The embedded S3 server's front door: a small HTTP/1.1 proxy on its own loopback port, in front of
 * S3Proxy, that sees every request before S3Proxy does. It judges a presigned URL's expiry by the
 * testkit's clock (S3Proxy judges by the wall clock, which a test cannot move), and applies the
 * {@link S3Faults}: S3's own error documents, or a connection reset in the middle of a body. It
 * also answers what S3 answers and S3Proxy does not: the SHA-256 of a copy that asks for it.
 *
 * <p>Written by hand on sockets, because a fault in the middle of a body needs byte-level control no
 * HTTP library gives, and because the {@code Host} header must reach S3Proxy unchanged (it is signed).
 * One request per connection ({@code Connection: close} both ways), which keeps it simple; speed is
 * measured against S3Proxy directly, not through here.
 */
final class S3FrontDoor implements AutoCloseable {
  /** Headers of one connection, not of the request (an h2c upgrade offer, keep-alive, 100-continue). */
  private static final java.util.Set<String> HOP_BY_HOP = java.util.Set.of("connection", "keep-alive", "expect",
      "upgrade", "http2-settings", "proxy-connection");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final ServerSocket server;
  private final int upstreamPort;
  private final S3Faults faults;
  private final Clock clock;
  private final Function<String, Optional<String>> principalOf;
  private final Function<String, String> ownerOf;
  /** Whether a request to a bucket that names no expected owner is refused (see {@link EmbeddedS3#requireExpectedOwner}). */
  volatile boolean requireExpectedOwner;
  /** Whether a copy asking for its SHA-256 gets it, as from S3 (see {@link EmbeddedS3#answerCopyChecksums}). */
  volatile boolean answerCopyChecksums = true;
  /** The bytes of an object as stored now, by bucket and key. */
  private final java.util.function.BiFunction<String, String, InputStream> objectBytes;
  /** Counted down when the server closes: what a stalled request waits for. */
  private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
  private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "embedded-s3-front-door");
    t.setDaemon(true);
    return t;
  });

  S3FrontDoor(int upstreamPort, S3Faults faults, Clock clock, Function<String, Optional<String>> principalOf,
      Function<String, String> ownerOf, java.util.function.BiFunction<String, String, InputStream> objectBytes)
      throws IOException {
    this.objectBytes = objectBytes;
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.upstreamPort = upstreamPort;
    this.faults = faults;
    this.clock = clock;
    this.principalOf = principalOf;
    this.ownerOf = ownerOf;
    connections.execute(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        connections.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** A request or response head: the first line and the header lines, as sent. */
  private record Head(String first, List<String[]> headers) {
    Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    byte[] bytes(boolean closing) {
      StringBuilder out = new StringBuilder(first).append("\r\n");
      for (String[] h : headers) {
        String n = h[0].toLowerCase(Locale.ROOT);
        if (!HOP_BY_HOP.contains(n)) {
          out.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
      }
      if (closing) {
        out.append("Connection: close\r\n");
      }
      return out.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static Head read(InputStream in) throws IOException {
      String first = line(in);
      if (first == null || first.isEmpty()) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      for (String l; (l = line(in)) != null && !l.isEmpty(); ) {
        int colon = l.indexOf(':');
        headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
      }
      return new Head(first, headers);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(128);
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        byte[] bytes = b.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      if (b.size() > 65536) {
        throw new IOException("header line too long");
      }
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  private void serve(Socket client) {
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(client.getInputStream(), 65536);
      OutputStream out = new BufferedOutputStream(client.getOutputStream(), 65536);
      Head head = Head.read(in);
      if (head == null) {
        return;
      }
      S3Request request = parse(head);
      boolean expects = head.header("Expect").filter(v -> v.equalsIgnoreCase("100-continue")).isPresent();
      if (presignedExpired(request)) {
        answer(head, in, out, expects, S3Fault.error(403, "AccessDenied", "Request has expired", Map.of()));
        return;
      }
      String owner = request.bucket().isEmpty() ? null : ownerOf.apply(request.bucket());
      // as S3 takes it: a header, or (presigned) a query parameter in lower case
      Optional<String> expectedOwner = head.header("x-amz-expected-bucket-owner")
          .or(() -> Optional.ofNullable(request.query().get("x-amz-expected-bucket-owner")));
      if (owner != null && expectedOwner.isPresent() && !expectedOwner.get().equals(owner)) {
        answer(head, in, out, expects, S3Fault.accessDenied());
        return;
      }
      if (owner != null && expectedOwner.isEmpty() && requireExpectedOwner) {
        answer(head, in, out, expects, S3Fault.error(403, "AccessDenied", "This test's server requires every request"
            + " to a bucket to name the bucket's expected owner (x-amz-expected-bucket-owner)", Map.of()));
        return;
      }
      Optional<S3Fault> fault = faults.claim(request);
      if (fault.isPresent() && fault.get().kind == S3Fault.Kind.RESPOND) {
        answer(head, in, out, expects, fault.get());
        return;
      }
      forward(head, request, in, out, client, expects, fault.orElse(null));
    } catch (IOException e) {
      // the client went away, or a fault cut the connection: nothing more to do
    }
  }

  private S3Request parse(Head head) {
    String[] parts = head.first().split(" ");
    String method = parts[0];
    String target = parts.length > 1 ? parts[1] : "/";
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> query = new LinkedHashMap<>();
    if (q >= 0) {
      for (String p : target.substring(q + 1).split("&")) {
        if (p.isEmpty()) {
          continue;
        }
        int eq = p.indexOf('=');
        query.put(decode(eq < 0 ? p : p.substring(0, eq)), eq < 0 ? "" : decode(p.substring(eq + 1)));
      }
    }
    String decoded = decode(path.replace("+", "%2B"));
    String rest = decoded.startsWith("/") ? decoded.substring(1) : decoded;
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    String credential = query.getOrDefault("X-Amz-Credential", head.header("Authorization")
        .map(a -> a.replaceFirst(".*Credential=", "")).orElse(""));
    String accessKey = credential.contains("/") ? credential.substring(0, credential.indexOf('/')) : credential;
    Optional<String> copySource = head.header("x-amz-copy-source").map(c -> {
      String source = decode(c.indexOf('?') < 0 ? c : c.substring(0, c.indexOf('?')));
      return source.startsWith("/") ? source.substring(1) : source;
    });
    return new S3Request(method, S3Operation.of(method, key, query), bucket, key, Map.copyOf(query),
        accessKey.isEmpty() ? Optional.empty() : principalOf.apply(accessKey), copySource);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private boolean presignedExpired(S3Request request) {
    String date = request.query().get("X-Amz-Date");
    String expires = request.query().get("X-Amz-Expires");
    if (date == null || expires == null) {
      return false;
    }
    try {
      Instant signed = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
      return !clock.instant().isBefore(signed.plusSeconds(Long.parseLong(expires)));
    } catch (RuntimeException e) {
      return false; // malformed: S3Proxy answers it
    }
  }

  /** Answers with an S3 error document, without asking S3Proxy. */
  private static void answer(Head head, InputStream in, OutputStream out, boolean expects, S3Fault fault)
      throws IOException {
    if (!expects) {
      copyBody(head, in, OutputStream.nullOutputStream(), Long.MAX_VALUE);
    } // else the client waits for 100 Continue, which never comes, and sends no body
    String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.code + "</Code><Message>"
        + fault.message.replace("&", "&amp;").replace("<", "&lt;") + "</Message><RequestId>" + requestId
        + "</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder("HTTP/1.1 ").append(fault.status).append(' ')
        .append(fault.status == 301 ? "Moved Permanently" : fault.status == 503 ? "Service Unavailable" : "Error")
        .append("\r\nContent-Type: application/xml\r\nx-amz-request-id: ").append(requestId).append("\r\n");
    fault.headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    boolean head2 = head.first().startsWith("HEAD ");
    h.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!head2) {
      out.write(body);
    }
    out.flush();
  }

  private void forward(Head head, S3Request request, InputStream in, OutputStream out, Socket client, boolean expects,
      S3Fault fault) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      upstream.setTcpNoDelay(true);
      OutputStream up = new BufferedOutputStream(upstream.getOutputStream(), 65536);
      up.write(withEscapedSlashesDecoded(head).bytes(true));
      if (expects) {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      boolean stall = fault != null && fault.kind == S3Fault.Kind.STALL_REQUEST;
      long limit = fault != null && (fault.kind == S3Fault.Kind.CUT_REQUEST || stall) ? fault.afterBytes : Long.MAX_VALUE;
      OutputStream body = fault == null ? up
          : fault.kind == S3Fault.Kind.CORRUPT_REQUEST ? new Corrupting(up, fault.afterBytes)
          : fault.kind == S3Fault.Kind.SLOW_REQUEST ? new Slow(up, fault.afterBytes) : up;
      try {
        if (!copyBody(head, in, body, limit)) {
          up.flush();
          reset(upstream);
          if (stall) {
            try {
              // reading nothing more (a read would let the client's writes move) until the server closes
              closing.await(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          reset(client);
          return;
        }
        up.flush();
      } catch (IOException e) {
        // S3Proxy answered before reading the whole body (a refusal): relay its answer
      }
      InputStream down = new BufferedInputStream(upstream.getInputStream(), 65536);
      Head response;
      do {
        response = Head.read(down);
        if (response == null) {
          reset(client);
          return;
        }
      } while (response.first().split(" ")[1].startsWith("1"));
      boolean wrongChecksum = fault != null && fault.kind == S3Fault.Kind.WRONG_COPY_CHECKSUM;
      if (request.isCopy() && !request.query().containsKey("uploadId") && response.first().split(" ")[1].equals("200")
          && (answerCopyChecksums || wrongChecksum)
          && head.header("x-amz-checksum-algorithm").filter(a -> a.equalsIgnoreCase("SHA256")).isPresent()) {
        answerWithChecksum(response, down, out, request, wrongChecksum);
        return;
      }
      out.write(response.bytes(true));
      long cut = fault != null && fault.kind == S3Fault.Kind.CUT_RESPONSE ? fault.afterBytes : Long.MAX_VALUE;
      OutputStream toClient = fault != null && fault.kind == S3Fault.Kind.CORRUPT_RESPONSE
          ? new Corrupting(out, fault.afterBytes) : out;
      byte[] buf = new byte[65536];
      long sent = 0;
      for (int n; (n = down.read(buf, 0, (int) Math.min(buf.length, cut - sent))) > 0; ) {
        toClient.write(buf, 0, n);
        sent += n;
        if (sent >= cut) {
          out.flush();
          reset(client);
          return;
        }
      }
      out.flush();
    }
  }

  /**
   * Answers a {@code CopyObject} that asked for {@code x-amz-checksum-algorithm: SHA256} as S3 does:
   * its {@code CopyObjectResult} carries the full-object SHA-256 of the copy, computed here from the
   * bytes now stored (S3Proxy answers none); with {@code wrong}, that of other bytes.
   */
  private void answerWithChecksum(Head response, InputStream down, OutputStream out, S3Request request, boolean wrong)
      throws IOException {
    String xml = new String(responseBody(response, down), StandardCharsets.UTF_8);
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream copy = objectBytes.apply(request.bucket(), request.key())) {
      byte[] buf = new byte[65536];
      for (int n; (n = copy.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    if (wrong) {
      md.update((byte) 0); // the digest of other bytes than the copy's
    }
    String checksum = java.util.Base64.getEncoder().encodeToString(md.digest());
    int end = xml.lastIndexOf("</CopyObjectResult>");
    String answered = end < 0 ? xml : xml.substring(0, end) + "<ChecksumSHA256>" + checksum
        + "</ChecksumSHA256><ChecksumType>FULL_OBJECT</ChecksumType>" + xml.substring(end);
    byte[] body = answered.getBytes(StandardCharsets.UTF_8);
    List<String[]> headers = new ArrayList<>();
    for (String[] h : response.headers()) {
      if (!h[0].equalsIgnoreCase("Content-Length") && !h[0].equalsIgnoreCase("Transfer-Encoding")) {
        headers.add(h);
      }
    }
    headers.add(new String[] {"Content-Length", Integer.toString(body.length)});
    out.write(new Head(response.first(), headers).bytes(true));
    out.write(body);
    out.flush();
  }

  /** A response's whole body (a small XML document), by its Content-Length or its chunks, until the connection ends. */
  private static byte[] responseBody(Head response, InputStream down) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Optional<String> length = response.header("Content-Length");
    if (response.header("Transfer-Encoding").filter(v -> v.equalsIgnoreCase("chunked")).isPresent()) {
      for (String size; (size = line(down)) != null; ) {
        long n = Long.parseLong(size.split(";")[0].trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(down.readNBytes((int) n));
        line(down); // the chunk's CRLF
      }
    } else if (length.isPresent()) {
      body.write(down.readNBytes(Integer.parseInt(length.get())));
    } else {
      down.transferTo(body);
    }
    return body.toByteArray();
  }

  /**
   * S3 keys may hold empty path segments ({@code a//b}). The SDK sends them escaped
   * ({@code a/%2Fb}, so that no proxy collapses them) but signs the unescaped path, as S3 itself
   * decodes before it checks; S3Proxy checks the raw path and refuses the signature. An escaped slash
   * is a slash to S3, so the front door sends it as one.
   */
  private static Head withEscapedSlashesDecoded(Head head) {
    String[] parts = head.first().split(" ", 3);
    if (parts.length < 3) {
      return head;
    }
    String target = parts[1];
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String fixed = path.replaceAll("(?i)%2F", "/");
    return fixed.equals(path) ? head
        : new Head(parts[0] + " " + fixed + (q < 0 ? "" : target.substring(q)) + " " + parts[2], head.headers());
  }

  /** Flips the bits of the byte at one offset of what passes through. */
  /** Passes bytes on at a steady average rate, in slices of at most a tenth of a second's worth. */
  private static final class Slow extends java.io.FilterOutputStream {
    private final long bytesPerSecond;
    private final int slice;
    private final long start = System.nanoTime();
    private long passed;

    Slow(OutputStream out, long bytesPerSecond) {
      super(out);
      this.bytesPerSecond = bytesPerSecond;
      this.slice = (int) Math.max(1, bytesPerSecond / 10);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (int done = 0; done < len; ) {
        int n = Math.min(slice, len - done);
        out.write(b, off + done, n);
        done += n;
        passed += n;
        long due = start + passed * 1_000_000_000L / bytesPerSecond;
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.sleep(due - System.nanoTime());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("closing");
        }
      }
    }
  }

  private static final class Corrupting extends java.io.FilterOutputStream {
    private final long at;
    private long position;

    Corrupting(OutputStream out, long at) {
      super(out);
      this.at = at;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(position++ == at ? ~b : b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (at >= position && at < position + len) {
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        copy[(int) (at - position)] ^= (byte) 0xFF;
        out.write(copy, 0, len);
      } else {
        out.write(b, off, len);
      }
      position += len;
    }
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0); // close with RST, as a dropped connection looks
    s.close();
  }

  /**
   * Copies the request body (by Content-Length, or chunk by chunk as sent); stops after
   * {@code limit} bytes and returns false if it got there first.
   */
  private static boolean copyBody(Head head, InputStream in, OutputStream out, long limit) throws IOException {
    Optional<String> length = head.header("Content-Length");
    boolean chunked = head.header("Transfer-Encoding").filter(v -> v.equalsIgnoreCase("chunked")).isPresent();
    long[] copied = {0};
    if (chunked) {
      while (true) {
        String sizeLine = line(in);
        if (sizeLine == null) {
          throw new IOException("chunked body ended early");
        }
        if (!write(out, (sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1), copied, limit)) {
          return false;
        }
        long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          for (String t; (t = line(in)) != null; ) {
            if (!write(out, (t + "\r\n").getBytes(StandardCharsets.ISO_8859_1), copied, limit)) {
              return false;
            }
            if (t.isEmpty()) {
              return true;
            }
          }
          return true;
        }
        if (!copy(in, out, size + 2, copied, limit)) {
          return false;
        }
      }
    }
    return length.isEmpty() || copy(in, out, Long.parseLong(length.get()), copied, limit);
  }

  private static boolean write(OutputStream out, byte[] b, long[] copied, long limit) throws IOException {
    int n = (int) Math.min(b.length, limit - copied[0]);
    out.write(b, 0, n);
    copied[0] += n;
    return n == b.length;
  }

  private static boolean copy(InputStream in, OutputStream out, long count, long[] copied, long limit)
      throws IOException {
    byte[] buf = new byte[65536];
    long left = count;
    while (left > 0) {
      long room = limit - copied[0];
      if (room <= 0) {
        return false;
      }
      int n = in.read(buf, 0, (int) Math.min(buf.length, Math.min(left, room)));
      if (n < 0) {
        throw new IOException("body ended early");
      }
      out.write(buf, 0, n);
      copied[0] += n;
      left -= n;
    }
    return true;
  }

  @Override
  public void close() {
    closing.countDown();
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    connections.shutdownNow();
  }
}
