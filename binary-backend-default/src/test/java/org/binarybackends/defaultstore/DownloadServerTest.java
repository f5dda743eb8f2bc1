package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The embedded download server over real HTTP: ranges, validators, methods and statuses. */
class DownloadServerTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final ObjectKey KEY = ObjectKey.of("fw/image.bin");
  private static final long SIZE = 100_000;
  private final HttpClient http = HttpClient.newHttpClient();
  private BinaryBackend backend;
  private SignedUrl url;
  private StoredBinary stored;

  @BeforeEach
  void start(@org.junit.jupiter.api.io.TempDir Path root) {
    backend = new DefaultStorageProvider().create(TestSettings.withServer(root).build(), BackendContext.defaults());
    stored = backend.put(ORG, KEY, new GeneratedContent(1, SIZE));
    url = backend.signDownloadUrl(ORG, KEY, Duration.ofMinutes(10));
  }

  @AfterEach
  void stop() {
    backend.close();
  }

  private HttpResponse<InputStream> send(String method, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private HttpResponse<InputStream> get(String... headers) throws Exception {
    return send("GET", url.uri(), headers);
  }

  private static Download body(HttpResponse<InputStream> r) {
    return Download.of(r.statusCode(), r.body());
  }

  private String etag() {
    return "\"" + stored.sha256().hex() + "\"";
  }

  @Test
  void aWholeDownloadCarriesLengthStrongEtagAndAcceptRanges() throws Exception {
    HttpResponse<InputStream> r = get();
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Long.toString(SIZE));
    assertThat(r.headers().firstValue("ETag")).hasValue(etag());
    assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(r.headers().firstValue("Last-Modified")).isPresent();
    Download d = body(r);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.sha256()).isEqualTo(GeneratedContent.sha256(1, SIZE));
  }

  @Test
  void rangesAnswer206WithContentRange() throws Exception {
    String[][] cases = {{"bytes=0-9", "0", "9"}, {"bytes=99990-", "99990", "99999"}, {"bytes=-10", "99990", "99999"},
        {"bytes=50000-200000", "50000", "99999"}, {"bytes = 5-5", "5", "5"}};
    for (String[] c : cases) {
      HttpResponse<InputStream> r = get("Range", c[0]);
      long first = Long.parseLong(c[1]);
      long last = Long.parseLong(c[2]);
      assertThat(r.headers().firstValue("Content-Range")).as(c[0]).hasValue("bytes " + first + "-" + last + "/" + SIZE);
      assertThat(r.headers().firstValue("Content-Length")).hasValue(Long.toString(last - first + 1));
      Download d = body(r);
      assertThat(d.status()).isEqualTo(206);
      try (GeneratedContent all = new GeneratedContent(1, SIZE)) {
        all.skipNBytes(first);
        byte[] expected = all.readNBytes((int) (last - first + 1));
        assertThat(d.sha256()).isEqualTo(GeneratedContent.digest(new java.io.ByteArrayInputStream(expected)));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=abc", "bytes=5-2", "bytes=-0", "bytes=-", "bytes=1-2-3", "bytes", "bytes=100000-",
      "bytes=999999999999999999999-"})
  void malformedOrUnsatisfiableRangesAnswer416WithTheSize(String range) throws Exception {
    HttpResponse<InputStream> r = get("Range", range);
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */" + SIZE);
    r.body().close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"items=0-5", "bytes=0-1,5-6"})
  void unknownUnitsAndMultipleRangesGetTheWholeBinary(String range) throws Exception {
    Download d = body(get("Range", range));
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.length()).isEqualTo(SIZE);
  }

  @Test
  void ifRangeResumesOnlyTheSameVersion() throws Exception {
    assertThat(body(get("Range", "bytes=10-", "If-Range", etag())).status()).isEqualTo(206);
    assertThat(body(get("Range", "bytes=10-", "If-Range", "W/" + etag())).status()).isEqualTo(200);
    assertThat(body(get("Range", "bytes=10-", "If-Range", "Wed, 21 Oct 2015 07:28:00 GMT")).status()).isEqualTo(200);

    StoredBinary second = backend.put(ORG, KEY, new GeneratedContent(2, SIZE + 7));
    Download resumed = body(get("Range", "bytes=10-", "If-Range", etag()));
    assertThat(resumed.status()).isEqualTo(200); // never bytes of the new version after bytes of the old
    assertThat(resumed.length()).isEqualTo(SIZE + 7);
    assertThat(resumed.sha256()).isEqualTo(second.sha256());
  }

  @Test
  void aDownloadInProgressKeepsReadingTheVersionItStarted() throws Exception {
    StoredBinary big = backend.put(ORG, KEY, new GeneratedContent(3, 8 << 20));
    HttpResponse<InputStream> r = get();
    try (InputStream body = r.body()) {
      byte[] head = body.readNBytes(4096);
      backend.put(ORG, KEY, new GeneratedContent(4, 8 << 20));
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(head);
      sha.update(body.readAllBytes());
      assertThat(Sha256Digest.of(sha)).isEqualTo(big.sha256());
    }
  }

  @Test
  void headAnswersTheHeadersWithoutABody() throws Exception {
    HttpResponse<InputStream> r = send("HEAD", url.uri());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Long.toString(SIZE));
    assertThat(r.headers().firstValue("ETag")).hasValue(etag());
    assertThat(r.body().readAllBytes()).isEmpty();
    HttpResponse<InputStream> ranged = send("HEAD", url.uri(), "Range", "bytes=0-99");
    assertThat(ranged.statusCode()).isEqualTo(206);
    assertThat(ranged.headers().firstValue("Content-Length")).hasValue("100");
  }

  @Test
  void otherMethodsAnswer405() throws Exception {
    for (String method : new String[] {"POST", "PUT", "DELETE"}) {
      HttpResponse<InputStream> r = send(method, url.uri());
      assertThat(r.statusCode()).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
      r.body().close();
    }
    assertThat(backend.stat(ORG, KEY)).isEqualTo(stored);
  }

  @Test
  void badTokensAnswer403WithoutSayingMoreThanTheReason() throws Exception {
    String u = url.uri().toString();
    URI foreign = URI.create(u.replace("/org-a/", "/org-b/"));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(foreign).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("signature does not match").doesNotContain("sig=");
    URI unsigned = URI.create(u.substring(0, u.indexOf('?')));
    assertThat(http.send(HttpRequest.newBuilder(unsigned).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(403);
    URI outside = URI.create(u.replace("/org-a/fw/image.bin", "/org-a/..%2F..%2Fetc%2Fpasswd"));
    assertThat(http.send(HttpRequest.newBuilder(outside).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(403);
  }

  @Test
  void logsShowSignedUrlsRedacted() throws Exception {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        "org.binarybackends.defaultstore.internal.DownloadServer");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      body(get());
      String u = url.uri().toString();
      // a forged signature: the 403 is logged before the response is sent
      http.send(HttpRequest.newBuilder(URI.create(u.replace("sig=", "sig=AAAA"))).build(),
          HttpResponse.BodyHandlers.discarding());
      SignedUrl missing = backend.signDownloadUrl(ORG, ObjectKey.of("fw/missing.bin"), Duration.ofMinutes(1));
      http.send(HttpRequest.newBuilder(missing.uri()).build(), HttpResponse.BodyHandlers.discarding());
    } finally {
      logger.setLevel(level);
      logger.detachAppender(appender);
    }
    String sig = url.uri().getRawQuery().replaceAll(".*sig=", "");
    assertThat(appender.list).hasSizeGreaterThanOrEqualTo(2);
    assertThat(appender.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(sig)
        .doesNotContain("sig=").doesNotContain("expires="));
    assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("/org-a/fw/image.bin?***"));
  }

  @Test
  void anEmptyBinaryDownloadsAsZeroBytes() throws Exception {
    backend.put(ORG, KEY, InputStream.nullInputStream());
    HttpResponse<InputStream> r = get();
    assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(body(r).length()).isZero();
    assertThat(get("Range", "bytes=0-").statusCode()).isEqualTo(200);
  }
}
