package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PresignedPart;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.micrometer.MicrometerInstrumentation;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.MetricTags;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's meters in a real registry, moving as the story happens with the real parts: the
 * default storage, an organization's bucket through its role chain and its distribution (the edge
 * emulator), the activation between them. Every meter is checked for what it counts and how it is
 * tagged; none may carry an organization.
 */
class MetricsStoryTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();

  @TempDir
  Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double count(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private long timed(String name, String... tags) {
    return registry.find(name).tags(tags).timers().stream().mapToLong(t -> t.count()).sum();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void everyMeterMovesAsTheStoryHappensAndNoneNamesAnOrganization() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    S3Settings bucket = fixture.onboard("metrics", "firmware/");
    OrganizationId org = bucket.organization();
    OrganizationId other = OrganizationId.of("metrics-other");
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "/firmware");
    DefaultStorageSettings platformSettings = CloudFrontFixture.platformStorage(dir.resolve("platform"));
    try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
        .defaultStorage(platformSettings).context(fixture.context(clock))
        .instrumentation(MicrometerInstrumentation.of(registry))
        .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build())
        .scheduled(false).build()) {
      // ---- the default storage: every operation by type and outcome, its bytes ----
      BinaryBackend platform = binaries.forUpload(org).backend();
      StoredBinary stored = platform.put(org, ObjectKey.of("fw/1.bin"), new GeneratedContent(1, 1000));
      platform.put(other, ObjectKey.of("fw/1.bin"), new GeneratedContent(2, 500));
      assertThat(timed("binary.backend.put", "backend.type", "default", "outcome", "success")).isEqualTo(2);
      assertThat(count("binary.backend.put.bytes", "backend.type", "default", "outcome", "success")).isEqualTo(1500);
      try (BinaryContent c = binaries.forBinary(stored.location()).read(org, stored.location().key())) {
        assertThat(c.stream().readNBytes(600)).hasSize(600); // a caller that stops early: what it read
      }
      assertThat(timed("binary.backend.read", "backend.type", "default", "outcome", "success")).isEqualTo(1);
      assertThat(count("binary.backend.read.bytes", "backend.type", "default")).isEqualTo(600);
      assertThatThrownBy(() -> platform.stat(org, ObjectKey.of("fw/none.bin"))).isInstanceOf(BinaryNotFoundException.class);
      assertThat(timed("binary.backend.stat", "backend.type", "default", "outcome", "not_found")).isEqualTo(1);
      assertThat(platform.list(org, "fw/").count()).isEqualTo(1);
      assertThat(timed("binary.backend.list", "backend.type", "default", "outcome", "success")).isEqualTo(1);
      binaries.signDownloadUrl(stored.location(), Duration.ofMinutes(5));
      assertThat(timed("binary.backend.sign", "backend.type", "default", "outcome", "success")).isEqualTo(1);
      platform.delete(other, ObjectKey.of("fw/1.bin"));
      assertThat(timed("binary.backend.delete", "backend.type", "default", "outcome", "success")).isEqualTo(1);
      // a put the caller's stream breaks: counted as its failure, the bytes it got so far too
      assertThatThrownBy(() -> platform.put(org, ObjectKey.of("fw/broken.bin"), new BreakingStream(300)))
          .isInstanceOf(org.binarybackends.ContentReadException.class);
      assertThat(timed("binary.backend.put", "backend.type", "default", "outcome", "content_read")).isEqualTo(1);
      assertThat(count("binary.backend.put.bytes", "backend.type", "default", "outcome", "content_read")).isEqualTo(300);

      // ---- activation: registered, checked (the edge does not trust the key yet), switched ----
      binaries.register(org, SettingsJson.of(fixture.s3Json(bucket).toString()),
          Optional.of(fixture.cloudFrontJson(bucket, d.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem")), "admin");
      assertThat(gauge("binary.backend.activation.organizations", "state", "pending")).isEqualTo(1);
      assertThat(count("binary.backend.activation.transitions", "kind", "staged")).isEqualTo(1);
      binaries.check(org);
      assertThat(count("binary.backend.activation.checks", "part", "upload", "outcome", "passed")).isEqualTo(1);
      assertThat(count("binary.backend.activation.checks", "part", "download", "outcome", "definite_failure"))
          .isEqualTo(1);
      assertThat(count("binary.backend.activation.transitions", "kind", "activated")).as("the upload part").isEqualTo(1);
      assertThat(timed("binary.backend.verify", "backend.type", "cloudfront", "outcome", "success")).isEqualTo(1);
      d.edge().trust("K1RSA", fixture.publicKey("rsa-public.pem", "RSA"));
      OrganizationStatus switched = binaries.check(org);
      assertThat(switched.uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);
      assertThat(count("binary.backend.activation.checks", "outcome", "passed")).isEqualTo(3);
      assertThat(count("binary.backend.activation.transitions", "kind", "activated")).isEqualTo(2);
      assertThat(count("binary.backend.activation.transitions", "kind", "switched")).isEqualTo(1);
      assertThat(gauge("binary.backend.activation.organizations", "state", "own_storage")).isEqualTo(1);
      assertThat(gauge("binary.backend.activation.organizations", "state", "pending")).isZero();
      assertThat(gauge("binary.backend.activation.check.oldest.passed")).isZero();

      // ---- the organization's bucket, through its role chain ----
      BinaryBackend own = binaries.forUpload(org).backend();
      StoredBinary inBucket = own.put(org, ObjectKey.of("fw/2.bin"), new GeneratedContent(3, 2000));
      assertThat(timed("binary.backend.put", "backend.type", "s3", "outcome", "success")).isEqualTo(1);
      assertThat(count("binary.backend.put.bytes", "backend.type", "s3", "outcome", "success")).isEqualTo(2000);
      assertThat(gauge("binary.backend.role.sessions", "hop", "customer")).isGreaterThanOrEqualTo(1);
      assertThat(gauge("binary.backend.role.session.remaining", "hop", "customer")).isGreaterThan(0)
          .isLessThanOrEqualTo(3600);

      // a direct upload: started, its one part sent by the "device", completed
      DirectUploads direct = own.directUploads().orElseThrow();
      byte[] bytes = new GeneratedContent(4, 1234).readAllBytes();
      Sha256Digest digest = GeneratedContent.digest(new java.io.ByteArrayInputStream(bytes));
      DirectUpload upload = direct.start(org, ObjectKey.of("fw/direct.bin"), bytes.length, digest);
      PresignedPart part = direct.presignPart(upload, 1, digest, Duration.ofMinutes(5));
      HttpRequest.Builder put = HttpRequest.newBuilder(part.uri()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
      part.headers().forEach(put::header);
      assertThat(HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(200);
      direct.complete(upload);
      assertThat(count("binary.backend.direct.upload.starts", "backend.type", "s3", "outcome", "success")).isEqualTo(1);
      assertThat(count("binary.backend.direct.upload.completions", "backend.type", "s3", "outcome", "success"))
          .isEqualTo(1);

      // ---- downloads through the distribution: the fleet cache and the signatures ----
      binaries.signDownloadUrl(inBucket.location(), Duration.ofMinutes(10));
      binaries.signDownloadUrl(inBucket.location(), Duration.ofMinutes(10));
      assertThat(timed("binary.backend.sign", "backend.type", "cloudfront", "outcome", "success")).isEqualTo(2);
      assertThat(count("binary.backend.signed.url.cache.misses", "backend.type", "cloudfront")).isEqualTo(1);
      assertThat(count("binary.backend.signed.url.cache.hits", "backend.type", "cloudfront")).isEqualTo(1);
      assertThat(count("binary.backend.signatures", "algorithm", "rsa-2048")).isEqualTo(1);
      assertThat(gauge("binary.backend.signed.url.cache.size", "backend.type", "cloudfront")).isEqualTo(1);

      // ---- time passes without checks: the oldest pass ages, the organization is overdue ----
      Instant lastPassed = switched.active().orElseThrow().download().lastCheck().orElseThrow().at();
      clock.advance(Duration.ofHours(2));
      assertThat(gauge("binary.backend.activation.check.oldest.passed"))
          .isEqualTo(Duration.between(lastPassed, clock.instant()).getSeconds());
      assertThat(eventually(() -> gauge("binary.backend.activation.checks.overdue"), 1)).isEqualTo(1);

      // ---- the role chain's refresh fails (the customer deleted the role); the cached session still serves ----
      fixture.sts.deleteRole(bucket.roleArn().toString());
      clock.advance(Duration.ofMinutes(-2 * 60).plus(Duration.ofMinutes(59))); // in the session's last minute
      own.stat(org, inBucket.location().key());
      assertThat(count("binary.backend.role.refresh.failures", "hop", "customer", "when", "due")).isGreaterThanOrEqualTo(1);
    }

    // ---- no meter names an organization, in a tag key or value ----
    List<Meter> meters = registry.getMeters();
    assertThat(meters).hasSizeGreaterThan(20);
    for (Meter m : meters) {
      for (Tag t : m.getId().getTags()) {
        assertThat(MetricTags.FORBIDDEN_KEYS).as(m.getId().toString()).doesNotContain(t.getKey());
        for (OrganizationId o : List.of(org, other)) {
          assertThat(t.getValue()).as(m.getId().toString()).doesNotContain(o.value());
        }
      }
    }
    assertThat(registry.find("binary.backend.role.sessions").gauges()).as("one gauge per hop for every organization's"
        + " sessions").extracting(g -> g.getId().getTag("hop")).containsExactlyInAnyOrder("platform", "customer");
  }

  /** Polls {@code value} (a gauge counted on a thread of its own) until it is {@code expected}, for 10 s at most. */
  private static double eventually(DoubleSupplier value, double expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double v = value.getAsDouble();
    while (v != expected && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      v = value.getAsDouble();
    }
    return v;
  }

  /** Gives {@code good} bytes, then fails as a dropped connection does. */
  private static final class BreakingStream extends InputStream {
    private long left;

    BreakingStream(long good) {
      this.left = good;
    }

    @Override
    public int read() throws java.io.IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
      if (left == 0) {
        throw new java.io.IOException("connection reset by peer");
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 7);
      left -= n;
      return n;
    }
  }
}
