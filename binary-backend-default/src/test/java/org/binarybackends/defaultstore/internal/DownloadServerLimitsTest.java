package org.binarybackends.defaultstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded download server against devices on bad links: clients that abort, stall, trickle
 * their headers, read at 1 KiB/s, or come in greater numbers than the server admits. Each test
 * checks behaviour (what was served, what was closed), never how fast.
 */
class DownloadServerLimitsTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final ObjectKey BIG = ObjectKey.of("fw/big.bin");
  private static final ObjectKey SMALL = ObjectKey.of("fw/small.bin");
  private static final Secret KEY = Secret.ofBytes("limits-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

  @TempDir Path root;
  private DefaultStorageBackend backend;

  private DefaultStorageBackend start(UnaryOperator<DefaultStorageSettings.Builder> limits) {
    DefaultStorageSettings settings = limits.apply(DefaultStorageSettings.builder()
        .root(root)
        .rootId(DefaultStorageSettings.newRootId())
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(SigningKey.of("k1", KEY))).build();
    backend = (DefaultStorageBackend) new DefaultStorageProvider().create(settings, BackendContext.defaults());
    return backend;
  }

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
  }

  private URI url(ObjectKey key) {
    return backend.signDownloadUrl(ORG, key, Duration.ofMinutes(30)).uri();
  }

  /** Waits (bounded) until the server's open connections are down to {@code expected}. */
  private void awaitOpenConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (backend.openDownloadConnections() != expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(backend.openDownloadConnections()).as("open connections").isEqualTo(expected);
  }

  @Test
  void aThousandAbortedDownloadsLeaveNoConnectionOpenAndTheNextDownloadArrivesWhole() throws Exception {
    start(b -> b);
    StoredBinary big = backend.put(ORG, BIG, new GeneratedContent(1, 32 << 20));
    URI url = url(BIG);
    for (int i = 0; i < 1000; i++) {
      try (Socket s = RawHttp.connect(url, 8 << 10)) {
        RawHttp.send(s, RawHttp.request(url, "GET"));
        InputStream in = s.getInputStream();
        assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
        in.readNBytes(1 + i % 4096);
        if (i % 2 == 0) {
          s.setSoLinger(true, 0); // half of them reset the connection, the others close it
        }
      }
    }
    awaitOpenConnections(0);
    RawHttp.Response whole = RawHttp.get(url);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.length()).isEqualTo(big.size());
    assertThat(whole.sha256()).isEqualTo(big.sha256());
    awaitOpenConnections(0);
  }

  @Test
  void aClientTricklingItsHeadersIsClosedAfterTheHeaderTimeoutWhileOthersAreServed() throws Exception {
    start(b -> b.requestHeaderTimeout(Duration.ofSeconds(1)));
    StoredBinary small = backend.put(ORG, SMALL, new GeneratedContent(2, 100_000));
    URI url = url(SMALL);
    try (Socket slow = RawHttp.connect(url, 0)) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread trickle = new Thread(() -> {
        // a header byte every 100 ms: an idle timer reset by each byte would never fire
        try {
          RawHttp.send(slow, "GET " + url.getRawPath() + " HTTP/1.1\r\n");
          for (int i = 0; !stop.get() && i < 600; i++) {
            RawHttp.send(slow, "X");
            Thread.sleep(100);
          }
        } catch (IOException | InterruptedException e) {
          // closed by the server: what the test waits for
        }
      });
      trickle.start();
      RawHttp.Response served = RawHttp.get(url);
      assertThat(served.status()).isEqualTo(200);
      assertThat(served.sha256()).isEqualTo(small.sha256());
      assertThat(closedByServer(slow)).isTrue();
      stop.set(true);
      trickle.join();
    }
    awaitOpenConnections(0);
  }

  @Test
  void aClientThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    start(b -> b.requestHeaderTimeout(Duration.ofSeconds(1)));
    URI url = url(SMALL);
    try (Socket idle = RawHttp.connect(url, 0)) {
      assertThat(closedByServer(idle)).isTrue();
    }
    awaitOpenConnections(0);
  }

  /** True once the server closed the connection; a read that times out (30 s) fails the test. */
  private static boolean closedByServer(Socket s) throws IOException {
    try {
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // whatever the server sent before closing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  @Test
  void aReaderThatStopsReadingIsClosedAfterTheStallTimeoutWhileOthersAreServed() throws Exception {
    start(b -> b.sendStallTimeout(Duration.ofSeconds(1)));
    StoredBinary big = backend.put(ORG, BIG, new GeneratedContent(3, 64 << 20));
    StoredBinary small = backend.put(ORG, SMALL, new GeneratedContent(4, 100_000));
    URI url = url(BIG);
    try (Socket stalled = RawHttp.connect(url, 4096)) {
      RawHttp.send(stalled, RawHttp.request(url, "GET"));
      InputStream in = stalled.getInputStream();
      RawHttp.Head head = RawHttp.readHead(in);
      assertThat(head.contentLength()).isEqualTo(big.size());
      RawHttp.Response other = RawHttp.get(url(SMALL)); // served while the stalled one holds its connection
      assertThat(other.sha256()).isEqualTo(small.sha256());
      awaitOpenConnections(0); // the stalled download was closed by the server, not by the client
      long received = 0;
      byte[] buffer = new byte[1 << 16];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          received += n;
        }
      } catch (SocketException e) {
        // reset: equally a close
      }
      assertThat(received).isLessThan(big.size());
    }
  }

  @Test
  void aClientReadingOneKibPerSecondIsServedToTheEnd() throws Exception {
    // Small buffers on both ends, so that the kernel cannot absorb the slowness and the transfer
    // outlasts the stall timeout many times over within a short test (a timer on the whole write
    // would cut it); the small receive buffer is also what makes a slow device's window updates
    // come often on loopback, whose 64 KiB segments would otherwise hold them back for a minute.
    start(b -> b.sendStallTimeout(Duration.ofSeconds(3)).socketSendBufferBytes(4096));
    int size = 16 << 10;
    StoredBinary binary = backend.put(ORG, SMALL, new GeneratedContent(5, size));
    URI url = url(SMALL);
    try (Socket s = RawHttp.connect(url, 1024)) {
      RawHttp.send(s, RawHttp.request(url, "GET", "Connection: close"));
      InputStream in = s.getInputStream();
      assertThat(RawHttp.readHead(in).status()).isEqualTo(200);
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] chunk = new byte[128];
      long total = 0;
      for (int n; (n = in.read(chunk)) > 0; ) {
        sha.update(chunk, 0, n);
        total += n;
        Thread.sleep(125L * n / chunk.length); // 1 KiB/s
      }
      assertThat(total).isEqualTo(size);
      assertThat(org.binarybackends.Sha256Digest.of(sha)).isEqualTo(binary.sha256());
    }
  }

  @Test
  void connectionsOverTheLimitAreRefusedWith503AndServedAgainOnceBelowIt() throws Exception {
    start(b -> b.maxConnections(3).requestHeaderTimeout(Duration.ofSeconds(60)));
    StoredBinary small = backend.put(ORG, SMALL, new GeneratedContent(6, 10_000));
    URI url = url(SMALL);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        held.add(RawHttp.connect(url, 0));
      }
      awaitOpenConnections(3);
      try (Socket refused = RawHttp.connect(url, 0)) {
        RawHttp.Head head = RawHttp.readHead(refused.getInputStream());
        assertThat(head.status()).isEqualTo(503);
        assertThat(head.text()).contains("Retry-After: 1");
        assertThat(closedByServer(refused)).isTrue();
      }
      awaitOpenConnections(3);
      held.remove(0).close();
      awaitOpenConnections(2);
      RawHttp.Response served = RawHttp.get(url);
      assertThat(served.status()).isEqualTo(200);
      assertThat(served.sha256()).isEqualTo(small.sha256());
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aTakenPortIsABackendErrorNamingTheAddressNotAnUndeclaredBindException() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(b -> b.downloadServerAddress(
          new InetSocketAddress("127.0.0.1", taken.getLocalPort()))))
          .isInstanceOf(org.binarybackends.BinaryBackendException.class)
          .hasMessageContaining("cannot start the download server on").hasMessageContaining("" + taken.getLocalPort());
    }
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnectionPipelinedOrNot() throws Exception {
    start(b -> b);
    StoredBinary small = backend.put(ORG, SMALL, new GeneratedContent(7, 5000));
    URI url = url(SMALL);
    try (Socket s = RawHttp.connect(url, 0)) {
      // two pipelined requests in one write, then a third after both answers
      RawHttp.send(s, RawHttp.request(url, "GET") + RawHttp.request(url, "HEAD"));
      InputStream in = s.getInputStream();
      RawHttp.Head first = RawHttp.readHead(in);
      assertThat(first.status()).isEqualTo(200);
      assertThat(in.readNBytes((int) first.contentLength())).hasSize(5000);
      RawHttp.Head second = RawHttp.readHead(in);
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.contentLength()).isEqualTo(5000);
      RawHttp.send(s, RawHttp.request(url, "GET", "Range: bytes=0-9", "Connection: close"));
      RawHttp.Head third = RawHttp.readHead(in);
      assertThat(third.status()).isEqualTo(206);
      byte[] ten = in.readAllBytes();
      assertThat(ten).hasSize(10);
      try (GeneratedContent all = new GeneratedContent(7, 5000)) {
        assertThat(ten).isEqualTo(all.readNBytes(10));
      }
    }
    assertThat(small.size()).isEqualTo(5000);
  }

  @Test
  void malformedAndOversizedRequestsAreAnsweredAndClosed() throws Exception {
    start(b -> b);
    URI url = url(SMALL);
    try (Socket s = RawHttp.connect(url, 0)) {
      RawHttp.send(s, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(RawHttp.readHead(s.getInputStream()).status()).isEqualTo(414);
      assertThat(closedByServer(s)).isTrue();
    }
    try (Socket s = RawHttp.connect(url, 0)) {
      RawHttp.send(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
      assertThat(RawHttp.readHead(s.getInputStream()).status()).isEqualTo(431);
      assertThat(closedByServer(s)).isTrue();
    }
    try (Socket s = RawHttp.connect(url, 0)) {
      RawHttp.send(s, "GET /a b c d HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(RawHttp.readHead(s.getInputStream()).status()).isEqualTo(400);
    }
    awaitOpenConnections(0);
  }
}
