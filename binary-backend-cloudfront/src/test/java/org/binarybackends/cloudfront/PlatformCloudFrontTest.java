package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.s3.PlatformBucketProvider;
import org.binarybackends.s3.PlatformBucketSettings;
import org.binarybackends.s3.S3BackendProvider;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The platform's bucket behind the platform's distribution (type {@code platform-cloudfront}) as the
 * entry point's default storage: every organization's downloads are signed URLs of one distribution
 * under the organization's own path, from one fleet cache; the key rotation state is the
 * distribution's, held once in the platform's notes, and one verify moves every instance.
 */
class PlatformCloudFrontTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final OrganizationId A = OrganizationId.of("org-a");
  private static final OrganizationId B = OrganizationId.of("org-b");
  private static final ObjectKey KEY = ObjectKey.of("fw/sensor v3.bin");

  private static HttpResponse<byte[]> get(URI url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String keyPairId(SignedUrl url) {
    return url.uri().getRawQuery().replaceAll(".*Key-Pair-Id=([A-Z0-9]+).*", "$1");
  }

  private static StoredBinary put(BinaryBackends b, OrganizationId org, String content) {
    return b.forUpload(org).backend().put(org, KEY, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  private PlatformCloudFrontSettings.Builder settings(PlatformBucketSettings bucket, CloudFrontFixture.Distribution d,
      String originPath) {
    return PlatformCloudFrontSettings.builder().host(CloudFrontFixture.HOST).endpoint(d.edge().baseUrl().toString())
        .origin(bucket).originPath(originPath).key("KOLD", Secret.of(fixture.pem("rsa-pkcs8.pem")), null);
  }

  private static BinaryBackends platform(InMemoryStateStore store, PlatformCloudFrontSettings settings,
      ManualClock clock) {
    return BinaryBackends.builder().stateStore(new org.binarybackends.testkit.ForwardingStateStore(store))
        .defaultStorage(settings).context(fixture.platformContext(clock))
        .registry(BinaryBackendRegistry.of(new PlatformCloudFrontProvider(), new PlatformBucketProvider(),
            new CloudFrontBackendProvider(), new S3BackendProvider()))
        .scheduled(false).build();
  }

  @Test
  void everyOrganizationsDownloadsAreSignedUrlsOfOneDistributionUnderItsOwnPath() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    PlatformBucketSettings bucket = fixture.platformBucket("binaries/");
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "/binaries");
    d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA"));
    InMemoryStateStore store = new InMemoryStateStore();
    try (BinaryBackends binaries = platform(store, settings(bucket, d, "/binaries").build(), clock)) {
      StoredBinary a = put(binaries, A, "a's firmware");
      StoredBinary b = put(binaries, B, "b's firmware");
      assertThat(a.location().instance()).as("the bucket's instance: the CDN in front changes no location")
          .isEqualTo(bucket.instanceId());

      SignedUrl urlA = binaries.signDownloadUrl(a.location(), Duration.ofMinutes(30));
      SignedUrl urlB = binaries.signDownloadUrl(b.location(), Duration.ofMinutes(30));
      assertThat(urlA.uri().getRawPath()).isEqualTo("/org-a/fw/sensor%20v3.bin"); // the origin path left out
      assertThat(urlB.uri().getRawPath()).isEqualTo("/org-b/fw/sensor%20v3.bin");
      assertThat(new String(get(urlA.uri()).body(), StandardCharsets.UTF_8)).isEqualTo("a's firmware");
      assertThat(new String(get(urlB.uri()).body(), StandardCharsets.UTF_8)).isEqualTo("b's firmware");
      assertThat(binaries.signDownloadUrl(a.location(), Duration.ofMinutes(30))).as("the fleet cache").isEqualTo(urlA);

      // a's URL pointed at b's object: the signature binds the path
      URI forged = URI.create(urlA.uri().toString().replace("/org-a/", "/org-b/"));
      assertThat(get(forged).statusCode()).isEqualTo(403);
      // no organization signs what is not its own, nor the platform's records
      assertThatThrownBy(() -> binaries.defaultStorage().signDownloadUrl(OrganizationId.of(".platform-cloudfront"), KEY,
          Duration.ofMinutes(5))).isInstanceOf(InvalidInputException.class).hasMessageContaining("'.'");
      assertThatThrownBy(() -> binaries.defaultStorage().signDownloadUrl(A, ObjectKey.of(".binary-backends/probes/x"),
          Duration.ofMinutes(5))).isInstanceOf(InvalidInputException.class);

      VerificationReport report = binaries.defaultStorage().verify();
      assertThat(report.passed()).as(report.toString()).isTrue();
      // the distribution's state is held once, in the platform's notes, none in the organizations'
      assertThat(store.list(A, "cloudfront/")).isEmpty();
      assertThat(store.list(B, "cloudfront/")).isEmpty();
      assertThat(store.list(Front.PLATFORM_NOTES, "cloudfront/" + CloudFrontFixture.HOST + "/")).containsKeys(
          "cloudfront/" + CloudFrontFixture.HOST + "/KOLD/trusted",
          "cloudfront/" + CloudFrontFixture.HOST + "/KOLD/latest-expiry");
    }
  }

  @Test
  void oneVerifyRotatesTheKeyForEveryOrganizationAndEveryInstanceWithinAMinute() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    PlatformBucketSettings bucket = fixture.platformBucket("binaries/");
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "");
    d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA"));
    PlatformCloudFrontSettings rotating = settings(bucket, d, "")
        .key("KNEW", Secret.of(fixture.pem("ec-pkcs8.pem")), null).build();
    InMemoryStateStore store = new InMemoryStateStore();
    try (BinaryBackends one = platform(store, rotating, clock); BinaryBackends two = platform(store, rotating, clock)) {
      StoredBinary a = put(one, A, "a");
      StoredBinary b = put(two, B, "b");
      assertThat(keyPairId(two.signDownloadUrl(b.location(), Duration.ofMinutes(30)))).isEqualTo("KOLD");

      d.edge().trust("KNEW", fixture.publicKey("ec-public.pem", "EC")); // the platform adds the new public key
      VerificationReport switched = one.defaultStorage().verify();
      assertThat(switched.passed()).as(switched.toString()).isTrue();
      SignedUrl newA = one.signDownloadUrl(a.location(), Duration.ofMinutes(30));
      assertThat(keyPairId(newA)).as("the instance that verified, for every organization").isEqualTo("KNEW");
      assertThat(keyPairId(one.signDownloadUrl(b.location(), Duration.ofMinutes(30)))).isEqualTo("KNEW");
      assertThat(get(newA.uri()).statusCode()).isEqualTo(200);

      clock.advance(KeyRotation.REFRESH);
      SignedUrl newB = two.signDownloadUrl(b.location(), Duration.ofMinutes(30));
      assertThat(keyPairId(newB)).as("the other instance, without a verify of its own").isEqualTo("KNEW");
      assertThat(get(newB.uri()).statusCode()).isEqualTo(200);
      assertThat(store.list(A, "cloudfront/")).isEmpty();
    }
  }

  @Test
  void theSettingsReadFromJsonAndNoOrganizationMayRegisterThem() throws Exception {
    PlatformBucketSettings bucket = fixture.platformBucket("binaries/");
    String json = "{\"type\":\"platform-cloudfront\",\"host\":\"downloads.platform.example\",\"keys\":[{\"keyPairId\":"
        + "\"KOLD\",\"privateKey\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(fixture.pem("rsa-pkcs8.pem"))
        + "}],\"ttlSeconds\":600,\"originPath\":\"/binaries\",\"origin\":" + bucket.toJson() + "}";
    PlatformCloudFrontSettings read = (PlatformCloudFrontSettings) BinaryBackendRegistry.of(
        new PlatformCloudFrontProvider()).readSettings(json);
    assertThat(read.origin()).isEqualTo(bucket);
    assertThat(read.ttl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(read.toJson()).doesNotContain("BEGIN").contains("\"privateKey\":\"***\"");
    assertThat(read.toString()).doesNotContain("BEGIN");

    String bad = json.replace("\"/binaries\"", "\"/elsewhere\"").replace("\"ttlSeconds\":600", "\"ttlSeconds\":5");
    assertThatThrownBy(() -> BinaryBackendRegistry.of(new PlatformCloudFrontProvider()).readSettings(bad))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.getMessage())
            .contains("originPath", "/elsewhere", "binaries/", "ttlSeconds").doesNotContain("BEGIN"));

    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "");
    try (BinaryBackends binaries = platform(new InMemoryStateStore(), settings(bucket, d, "").build(), clock)) {
      assertThatThrownBy(() -> binaries.register(A, SettingsJson.of(json), "mallory"))
          .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("platform-cloudfront");
      assertThat(binaries.status(A).staged()).isEmpty();
    }
  }

  @Test
  void binariesStoredInTheBucketAloneStayReadableAndSignableOnceTheDistributionIsInFront() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    PlatformBucketSettings bucket = fixture.platformBucket("binaries/");
    StoredBinary before;
    try (BinaryBackend plain = new PlatformBucketProvider().create(bucket, fixture.platformContext(clock))) {
      before = plain.put(A, KEY, new ByteArrayInputStream("stored before".getBytes(StandardCharsets.UTF_8)));
    }
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "");
    d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA"));
    try (BinaryBackends binaries = platform(new InMemoryStateStore(), settings(bucket, d, "").build(), clock)) {
      SignedUrl url = binaries.signDownloadUrl(before.location(), Duration.ofMinutes(10));
      assertThat(url.uri().getHost()).isEqualTo(d.edge().baseUrl().getHost());
      assertThat(new String(get(url.uri()).body(), StandardCharsets.UTF_8)).isEqualTo("stored before");
    }
  }
}
