package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.micrometer.MicrometerInstrumentation;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download server's meters, as a fleet's devices move them: whole downloads, a device that
 * goes away mid-transfer, one that connects and never sends its request, the connections open.
 */
class DownloadServerMetersTest {
  private static final OrganizationId ORG = OrganizationId.of("org-meters");
  private static final long SIZE = 64L << 20; // more than the socket buffers hold: an abort is seen as one
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private BinaryBackend backend;
  private SignedUrl url;

  @BeforeEach
  void start(@TempDir Path root) {
    backend = new DefaultStorageProvider().create(TestSettings.withServer(root)
            .requestHeaderTimeout(Duration.ofMillis(300)).socketSendBufferBytes(64 << 10).build(),
        BackendContext.builder().instrumentation(MicrometerInstrumentation.of(registry)).build());
    backend.put(ORG, ObjectKey.of("fw/big.bin"), new GeneratedContent(1, SIZE));
    url = backend.signDownloadUrl(ORG, ObjectKey.of("fw/big.bin"), Duration.ofMinutes(10));
  }

  @AfterEach
  void stop() {
    backend.close();
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private double connections() {
    return registry.get("binary.backend.download.connections").gauge().value();
  }

  /** Polls {@code value} until it is {@code expected} (the server counts on its event loop), 20 s at most. */
  private static double eventually(DoubleSupplier value, double expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    double v = value.getAsDouble();
    while (v != expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      v = value.getAsDouble();
    }
    return v;
  }

  @Test
  void aWholeDownloadCountsItsBytesAndNoAbort() throws Exception {
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.uri()).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(Download.of(r.statusCode(), r.body()).sha256()).isEqualTo(GeneratedContent.sha256(1, SIZE));
    assertThat(eventually(() -> counter("binary.backend.download.bytes"), SIZE)).isEqualTo(SIZE);
    assertThat(counter("binary.backend.download.aborted")).isZero();
  }

  @Test
  void aDeviceGoingAwayMidTransferIsAnAbortAndOnlyWhatItTookIsCounted() throws Exception {
    URI u = url.uri();
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      s.setReceiveBufferSize(16 << 10);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + u.getRawPath() + "?" + u.getRawQuery() + " HTTP/1.1\r\nHost: " + u.getHost() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(s.getInputStream().readNBytes(100_000)).hasSize(100_000);
      assertThat(eventually(this::connections, 1)).isEqualTo(1);
      s.setSoLinger(true, 0); // a reset, as a device losing its link
    }
    assertThat(eventually(() -> counter("binary.backend.download.aborted"), 1)).isEqualTo(1);
    double sent = counter("binary.backend.download.bytes");
    assertThat(sent).as("what the kernel took, not the binary").isGreaterThan(0).isLessThan(SIZE);
    assertThat(eventually(this::connections, 0)).isZero();
  }

  @Test
  void aConnectionThatNeverSendsItsRequestIsClosedAsATimeout() throws Exception {
    URI u = url.uri();
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    }
    assertThat(eventually(() -> counter("binary.backend.download.timeouts", "timeout", "request_header"), 1))
        .isEqualTo(1);
    assertThat(counter("binary.backend.download.timeouts", "timeout", "send_stall")).isZero();
  }
}
