package org.binarybackends.defaultstore.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.binarybackends.Sha256Digest;

/**
 * HTTP/1.1 over a plain socket, as a misbehaving device speaks it: the test decides every byte, the
 * buffer sizes and when to stop reading, which no HTTP client library lets it do.
 */
final class RawHttp {
  private RawHttp() {}

  /** A connected socket with a receive buffer of {@code receiveBuffer} bytes (0: the system's). */
  static Socket connect(URI server, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer); // before connecting, so the window is small from the start
    }
    s.setSoTimeout(30_000); // a server that never answers fails the test instead of hanging it
    s.connect(new InetSocketAddress(server.getHost(), server.getPort()));
    return s;
  }

  static String request(URI url, String method, String... extraHeaders) {
    StringBuilder b = new StringBuilder(method).append(' ').append(url.getRawPath());
    if (url.getRawQuery() != null) {
      b.append('?').append(url.getRawQuery());
    }
    b.append(" HTTP/1.1\r\nHost: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
    for (String h : extraHeaders) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** A response's status line and headers, read byte by byte up to the blank line. */
  record Head(int status, String text) {
    long contentLength() {
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Long.parseLong(line.substring(15).trim());
        }
      }
      return -1;
    }
  }

  static Head readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes of headers: " + head);
      }
      head.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return new Head(Integer.parseInt(text.substring(9, 12)), text);
  }

  /** A whole exchange on a fresh connection that closes after it: status, body length and digest. */
  record Response(int status, long length, Sha256Digest sha256, String head) {}

  static Response get(URI url) throws Exception {
    try (Socket s = connect(url, 0)) {
      send(s, request(url, "GET", "Connection: close"));
      InputStream in = s.getInputStream();
      Head head = readHead(in);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 << 10];
      long total = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        total += n;
      }
      return new Response(head.status(), total, Sha256Digest.of(sha), head.text());
    }
  }
}
