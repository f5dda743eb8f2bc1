package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.VerificationReport.Status;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.SharedNotes;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key rotation across two service instances sharing the organization state store: the new key
 * signs only once a probe signed with it passes at the edge, on both; the old key is removable only
 * when the last URL any instance signed with it has expired; no download fails on the way.
 */
class KeyRotationTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static int status(SignedUrl url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(url.uri()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static Check check(VerificationReport r, String name) {
    return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
        "no check " + name + " in " + r));
  }

  private static String keyPairId(SignedUrl url) {
    return url.uri().getRawQuery().replaceAll(".*Key-Pair-Id=([A-Z0-9]+).*", "$1");
  }

  @Test
  void theNewKeySignsOnlyOnceTrustedAndTheOldOneIsRemovableOnlyWhenItsLastUrlHasExpired() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    S3Settings bucket = fixture.onboard("rotation", "");
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "");
    d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA"));
    CloudFrontSettings settings = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).origin(bucket)
        .key("KOLD", Secret.of(fixture.pem("rsa-pkcs8.pem")), null)
        .key("KNEW", Secret.of(fixture.pem("ec-pkcs8.pem")), null).build();
    SharedNotes notes = new InMemoryStateStore().asSharedNotes(); // what both instances share
    OrganizationId org = bucket.organization();
    ObjectKey key = ObjectKey.of("fw/sensor v3.bin");
    try (BinaryBackend one = new CloudFrontBackendProvider().create(settings, fixture.context(clock, notes));
        BinaryBackend two = new CloudFrontBackendProvider().create(settings, fixture.context(clock, notes))) {
      StoredBinary stored = one.put(org, key, new GeneratedContent(7, 100_000));
      assertThat(stored.location().instance()).isEqualTo(bucket.instanceId());

      SignedUrl before = one.signDownloadUrl(org, key, Duration.ofHours(1));
      assertThat(keyPairId(before)).isEqualTo("KOLD");
      VerificationReport first = one.verify();
      assertThat(first.passed()).as(first.toString()).isTrue();
      assertThat(check(first, "key KNEW").status()).isEqualTo(Status.WARNING);
      assertThat(check(first, "key KNEW").detail()).contains("not trusted at the edge yet", "KOLD keeps signing",
          "InvalidKey");
      assertThat(keyPairId(one.signDownloadUrl(org, key, Duration.ofHours(1)))).isEqualTo("KOLD");

      d.edge().trust("KNEW", fixture.publicKey("ec-public.pem", "EC")); // the customer adds the new public key
      clock.advance(Duration.ofMinutes(20));
      SignedUrl lateOld = two.signDownloadUrl(org, key, Duration.ofHours(1)); // instance two has not checked yet
      assertThat(keyPairId(lateOld)).isEqualTo("KOLD");

      VerificationReport switched = one.verify();
      assertThat(switched.passed()).as(switched.toString()).isTrue();
      assertThat(check(switched, "signed-get").detail()).contains("KNEW");
      assertThat(check(switched, "key KOLD").detail()).contains("replaced by KNEW",
          "keep it in the key group until " + lateOld.expiresAt());
      SignedUrl after = one.signDownloadUrl(org, key, Duration.ofHours(1));
      assertThat(keyPairId(after)).as("the rotated-out key's URL is never reused").isEqualTo("KNEW");
      two.verify();
      assertThat(keyPairId(two.signDownloadUrl(org, key, Duration.ofHours(1)))).isEqualTo("KNEW");

      for (SignedUrl u : new SignedUrl[] {before, lateOld, after}) {
        assertThat(status(u)).as("no download fails during the rotation: %s", u).isEqualTo(200);
      }

      clock.set(lateOld.expiresAt().minusSeconds(1));
      assertThat(check(one.verify(), "key KOLD").detail()).contains("keep it in the key group until");
      clock.set(lateOld.expiresAt());
      Check removable = check(one.verify(), "key KOLD");
      assertThat(removable.status()).isEqualTo(Status.PASSED);
      assertThat(removable.detail()).contains("removable now", "expired at " + lateOld.expiresAt());

      d.edge().untrust("KOLD"); // the customer removes it
      SignedUrl last = two.signDownloadUrl(org, key, Duration.ofMinutes(30));
      assertThat(status(last)).isEqualTo(200);
      VerificationReport end = one.verify();
      assertThat(end.passed()).as(end.toString()).isTrue();
      assertThat(check(end, "key KOLD").detail()).contains("removable now");
    }

    // the customer removes the old key from the settings too: its expired record goes
    CloudFrontSettings newOnly = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).origin(bucket).key("KNEW", Secret.of(fixture.pem("ec-pkcs8.pem")), null)
        .build();
    assertThat(notes.list(org, "cloudfront/" + CloudFrontFixture.HOST + "/KOLD/")).containsOnlyKeys(
        "cloudfront/" + CloudFrontFixture.HOST + "/KOLD/latest-expiry");
    try (BinaryBackend three = new CloudFrontBackendProvider().create(newOnly, fixture.context(clock, notes))) {
      assertThat(three.verify().passed()).isTrue();
    }
    assertThat(notes.list(org, "cloudfront/" + CloudFrontFixture.HOST + "/KOLD/")).isEmpty();
    assertThat(notes.list(org, "cloudfront/" + CloudFrontFixture.HOST + "/KNEW/")).containsKeys(
        "cloudfront/" + CloudFrontFixture.HOST + "/KNEW/trusted", "cloudfront/" + CloudFrontFixture.HOST
            + "/KNEW/latest-expiry");
  }

  @Test
  void keysRemovedFromTheKeyGroupTooEarlyAreWarnedAboutAndSigningFallsBackToATrustedOne() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    S3Settings bucket = fixture.onboard("early", "");
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "");
    d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA"));
    d.edge().trust("KNEW", fixture.publicKey("ec-public.pem", "EC"));
    CloudFrontSettings settings = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).origin(bucket)
        .key("KOLD", Secret.of(fixture.pem("rsa-pkcs8.pem")), null)
        .key("KNEW", Secret.of(fixture.pem("ec-pkcs8.pem")), null).build();
    OrganizationId org = bucket.organization();
    ObjectKey key = ObjectKey.of("fw/a.bin");
    try (BinaryBackend b = new CloudFrontBackendProvider().create(settings, fixture.context(clock,
        SharedNotes.inProcess()))) {
      b.put(org, key, new GeneratedContent(1, 1000));
      SignedUrl old = b.signDownloadUrl(org, key, Duration.ofHours(1));
      assertThat(keyPairId(old)).isEqualTo("KOLD");
      assertThat(b.verify().passed()).isTrue();
      assertThat(keyPairId(b.signDownloadUrl(org, key, Duration.ofHours(1)))).isEqualTo("KNEW");

      d.edge().untrust("KOLD"); // too early: the URL signed with it is still valid
      assertThat(status(old)).isEqualTo(403);
      VerificationReport early = b.verify();
      Check warned = check(early, "key KOLD");
      assertThat(warned.status()).isEqualTo(Status.WARNING);
      assertThat(warned.detail()).contains("fail now", "valid until " + old.expiresAt(), "InvalidKey");
      assertThat(early.passed()).isTrue();

      d.edge().trust("KOLD", fixture.publicKey("rsa-public.pem", "RSA")); // put back,
      d.edge().untrust("KNEW"); // and the new one removed instead
      assertThat(b.verify().passed()).as("signing falls back to the older key the edge still trusts").isTrue();
      SignedUrl fallback = b.signDownloadUrl(org, key, Duration.ofHours(1));
      assertThat(keyPairId(fallback)).isEqualTo("KOLD");
      assertThat(status(fallback)).isEqualTo(200);
    }
  }
}
