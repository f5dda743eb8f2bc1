package org.binarybackends.testkit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

/** The local servers of the testkit: a JDK HTTP server on a free loopback port. */
final class LoopbackHttp {
  private LoopbackHttp() {}

  /** Starts a server answering every path with {@code handler}. */
  static HttpServer start(String what, HttpHandler handler) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", handler);
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the " + what, e);
    }
  }

  /** {@code http://<loopback address>:<port>} of {@code server}. */
  static URI baseUri(HttpServer server) {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
  }
}
