package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.Violation;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the contract suite does not say: awkward keys through the edge, TTL bounds, a fleet's cost. */
class CloudFrontBackendTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();
  private static int orgs;

  private ManualClock clock;
  private S3Settings bucket;
  private OrganizationId org;
  private InMemoryStateStore store;
  private CloudFrontBackend backend;

  @BeforeEach
  void create() {
    clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    bucket = fixture.onboard("backend-" + (++orgs), "store/");
    org = bucket.organization();
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "/store");
    d.edge().trust("KEC", fixture.publicKey("ec-public.pem", "EC"));
    CloudFrontSettings settings = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).origin(bucket).originPath("/store").ttl(Duration.ofHours(1))
        .key("KEC", Secret.of(fixture.pem("ec-sec1.pem")), null).build();
    store = new InMemoryStateStore();
    backend = (CloudFrontBackend) new CloudFrontBackendProvider().create(settings, fixture.context(clock,
        store.asSharedNotes()));
  }

  @AfterEach
  void close() {
    backend.close();
  }


  @Test
  void aBackendThatOnlySignsAndVerifiesHoldsNoS3ClientsAndAClosedOneRefusesEverything() {
    assertThat(backend.verify().passed()).isTrue();
    backend.signDownloadUrl(org, ObjectKey.of("fw/a.bin"), Duration.ofMinutes(5));
    assertThat(backend.holdsOrigin()).as("the download configuration of a configuration keeps no S3 backend").isFalse();
    backend.put(org, ObjectKey.of("fw/a.bin"), new GeneratedContent(5, 100));
    assertThat(backend.holdsOrigin()).isTrue();
    assertThat(backend.verify().passed()).as("verify probes through the S3 backend it holds").isTrue();
    backend.close();
    List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
        () -> backend.signDownloadUrl(org, ObjectKey.of("fw/a.bin"), Duration.ofMinutes(5)), () -> backend.verify(),
        () -> backend.stat(org, ObjectKey.of("fw/a.bin")), () -> backend.put(org, ObjectKey.of("fw/b.bin"),
            new GeneratedContent(6, 10)));
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : calls) {
      assertThatThrownBy(call).isInstanceOf(org.binarybackends.BackendUnavailableException.class);
    }
  }

  @Test
  void awkwardKeysDownloadThroughTheEdge() throws Exception {
    List<String> keys = List.of("fw/a b.bin", "fw/a+b.bin", "fw/100%.bin", "fw/what?.bin", "fw/#1.bin", "fw/~x.bin",
        "fw/ünï cödé/€.bin", "fw/\uD83D\uDE00.bin", "fw/a&Signature=x.bin", "fw/a=b;c,d.bin", "fw/" + "x".repeat(900));
    long seed = 1;
    for (String k : keys) {
      StoredBinary stored = backend.put(org, ObjectKey.of(k), new GeneratedContent(seed++, 1000 + seed));
      SignedUrl url = backend.signDownloadUrl(org, ObjectKey.of(k), Duration.ofMinutes(10));
      assertThat(url.uri().getRawPath()).as(k).isEqualTo("/" + ObjectKey.of(k).uriPath());
      Download d = Download.fetch(url);
      assertThat(d.status()).as(k).isEqualTo(200);
      assertThat(d.sha256()).as(k).isEqualTo(stored.sha256());
    }
  }

  @Test
  void urlsNeverOutliveTheSettingsTtlAndBadTtlsKeysAndOrganizationsAreRefused() {
    SignedUrl capped = backend.signDownloadUrl(org, ObjectKey.of("fw/a.bin"), Duration.ofDays(2));
    assertThat(capped.expiresAt()).isBeforeOrEqualTo(clock.instant().plus(Duration.ofHours(1)))
        .isAfterOrEqualTo(clock.instant().plus(Duration.ofMinutes(45)));
    for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofDays(7).plusSeconds(1)}) {
      assertThatThrownBy(() -> backend.signDownloadUrl(org, ObjectKey.of("fw/a.bin"), ttl))
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
              .extracting(Violation::field).containsExactly("ttl"));
    }
    assertThatThrownBy(() -> backend.signDownloadUrl(OrganizationId.of("someone-else"), ObjectKey.of("fw/a.bin"),
        Duration.ofMinutes(5))).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("organization"));
    assertThatThrownBy(() -> backend.signDownloadUrl(org, ObjectKey.of(".binary-backends/digests/x"),
        Duration.ofMinutes(5))).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("key"));
  }

  @Test
  void aFleetCostsOneSignatureAndOneSharedNotePerStep() throws Exception {
    StoredBinary stored = backend.put(org, ObjectKey.of("fw/fleet.bin"), new GeneratedContent(9, 5000));
    String note = "cloudfront/" + CloudFrontFixture.HOST + "/KEC/latest-expiry";
    long versionBefore = store.get(org, note).map(n -> n.version()).orElse(0L);
    SignedUrl first = backend.signDownloadUrl(org, ObjectKey.of("fw/fleet.bin"), Duration.ofHours(1));
    long signaturesBefore = backend.cache.signatures();
    Instant stepEnd = Instant.ofEpochSecond((clock.instant().getEpochSecond() / 900 + 1) * 900);
    for (int device = 0; device < 10_000 && clock.instant().plusMillis(50).isBefore(stepEnd); device++) {
      clock.advance(Duration.ofMillis(50));
      assertThat(backend.signDownloadUrl(org, ObjectKey.of("fw/fleet.bin"), Duration.ofHours(1))).isSameAs(first);
    }
    assertThat(backend.cache.signatures()).isEqualTo(signaturesBefore);
    assertThat(store.get(org, note).orElseThrow().version()).as("one note written for the step")
        .isEqualTo(versionBefore + 1);
    assertThat(store.get(org, note).orElseThrow().value()).isEqualTo(first.expiresAt().toString());
    assertThat(store.get(org)).as("the organization's state is never written from the download path").isEmpty();
    clock.set(stepEnd);
    SignedUrl next = backend.signDownloadUrl(org, ObjectKey.of("fw/fleet.bin"), Duration.ofHours(1));
    assertThat(next.expiresAt()).isEqualTo(first.expiresAt().plusSeconds(900));
    assertThat(Download.fetch(next).sha256()).isEqualTo(stored.sha256());
  }
}
