package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The story end to end, with the real parts: the platform's default storage, the S3 and CloudFront
 * backends found by ServiceLoader, the local STS, the embedded S3 server and the edge emulator. An
 * organization registers its bucket and its distribution; while the distribution does not trust the
 * key yet it stays on the default storage, with the reason; once both parts verify it switches;
 * earlier binaries download from the default storage, later ones through the edge with signed URLs
 * that stop working when they say; a key rotation runs through without a failed download.
 */
class CloudFrontStoryTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();

  @TempDir
  Path dir;


  @Test
  void anOrganizationSwitchesOnlyWhenBucketAndDistributionVerifyAndDownloadsComeFromTheEdge() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    S3Settings bucket = fixture.onboard("story", "firmware/");
    OrganizationId org = bucket.organization();
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "/firmware");
    InMemoryStateStore store = new InMemoryStateStore();
    // the notes (which key signs) go through the store: BinaryBackends gives the backends the store's notes (asSharedNotes)
    BackendContext context = fixture.context(clock);
    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    assertThat(registry.types()).contains("default", "s3", "cloudfront");
    DefaultStorageSettings platformSettings = CloudFrontFixture.platformStorage(dir.resolve("platform"));
    try (BinaryBackends binaries = BinaryBackends.builder().stateStore(store).defaultStorage(platformSettings)
        .registry(registry).context(context)
        .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()) // the testkit's servers stand in for AWS
        .scheduled(false).build()) {
      StoredBinary before = binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/1.bin"),
          new GeneratedContent(1, 1000));

      // the bucket is ready, the distribution does not trust the key yet
      binaries.register(org, SettingsJson.of(fixture.s3Json(bucket).toString()),
          Optional.of(fixture.cloudFrontJson(bucket, d.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem")), "admin");
      OrganizationStatus pending = binaries.check(org);
      assertThat(pending.staged().orElseThrow().upload().state()).isEqualTo(PartStatus.ACTIVE);
      assertThat(pending.staged().orElseThrow().download().state()).isEqualTo(PartStatus.PENDING);
      assertThat(pending.staged().orElseThrow().downloadType()).hasValue("cloudfront");
      UploadTarget waiting = binaries.forUpload(org);
      assertThat(waiting.custom()).isFalse();
      assertThat(waiting.reason()).contains("download configuration pending", "K1RSA is not in the distribution's trusted key"
          + " group");

      // the customer adds the public key to the key group: both parts verify, the organization switches
      d.edge().trust("K1RSA", fixture.publicKey("rsa-public.pem", "RSA"));
      assertThat(binaries.check(org).uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);
      UploadTarget custom = binaries.forUpload(org);
      assertThat(custom.custom()).isTrue();
      long size = (5L << 20) * 2 + 3;
      StoredBinary after = custom.backend().put(org, ObjectKey.of("fw/sensor v3+é.bin"), new GeneratedContent(3,
          size));
      assertThat(after.location().instance()).isEqualTo(bucket.instanceId());

      SignedUrl old = binaries.signDownloadUrl(before.location(), Duration.ofMinutes(10));
      assertThat(old.uri().getPort()).as("the earlier binary from the default storage").isNotEqualTo(
          d.edge().baseUrl().getPort());
      assertThat(Download.fetch(old).sha256()).isEqualTo(before.sha256());
      SignedUrl edgeUrl = binaries.signDownloadUrl(after.location(), Duration.ofMinutes(10));
      assertThat(edgeUrl.uri().getPort()).as("the later one from the edge").isEqualTo(d.edge().baseUrl().getPort());
      assertThat(edgeUrl.uri().getRawPath()).isEqualTo("/fw/sensor%20v3%2B%C3%A9.bin");
      Download got = Download.fetch(edgeUrl);
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.sha256()).isEqualTo(after.sha256());
      assertThat(d.origin().lastKey()).isEqualTo("firmware/fw/sensor v3+é.bin");

      // a URL stops working when it says it does
      clock.set(edgeUrl.expiresAt().minusSeconds(1));
      assertThat(Download.fetch(edgeUrl).status()).isEqualTo(200);
      clock.set(edgeUrl.expiresAt());
      assertThat(Download.fetch(edgeUrl).status()).isEqualTo(403);

      // a distribution in front of another bucket cannot be the download configuration of this one; nothing changes
      S3Settings otherBucket = fixture.onboard("story-other", "firmware/");
      OrganizationState beforeMistake = store.get(org).orElseThrow();
      assertThatThrownBy(() -> binaries.register(org, SettingsJson.of(fixture.s3Json(bucket).toString()),
          Optional.of(fixture.cloudFrontJson(otherBucket, d.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem")), "admin"))
          .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
              .extracting(v -> v.field()).containsExactly("download.organization", "download")) // onboarded for another org too
          .hasMessageContaining(otherBucket.bucket().value()).hasMessageNotContaining("BEGIN");
      assertThat(store.get(org)).hasValue(beforeMistake);

      // a key rotation: the new public key joins the key group, the settings list both keys
      SignedUrl signedByOld = binaries.signDownloadUrl(after.location(), Duration.ofHours(1));
      d.edge().trust("K2EC", fixture.publicKey("ec-public.pem", "EC"));
      binaries.register(org, SettingsJson.of(fixture.s3Json(bucket).toString()), Optional.of(fixture.cloudFrontJson(bucket,
          d.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem", "K2EC", "ec-pkcs8.pem")), "admin");
      OrganizationStatus rotated = binaries.check(org);
      assertThat(rotated.staged()).as(rotated.toJson()).isEmpty();
      SignedUrl signedByNew = binaries.signDownloadUrl(after.location(), Duration.ofHours(1));
      assertThat(signedByNew.uri().getRawQuery()).contains("Key-Pair-Id=K2EC");
      assertThat(signedByOld.uri().getRawQuery()).contains("Key-Pair-Id=K1RSA");
      for (SignedUrl u : new SignedUrl[] {signedByOld, signedByNew}) {
        Download dl = Download.fetch(u);
        assertThat(dl.status()).as("no download fails during the rotation").isEqualTo(200);
        assertThat(dl.sha256()).isEqualTo(after.sha256());
      }
      assertThat(binaries.forUpload(org).custom()).isTrue();
    }
  }
}
