package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration gap, end to end, with the real parts: the platform's default storage, the S3
 * backend found by ServiceLoader, the local STS and the embedded S3 server. An organization registers
 * its bucket before its trust policy is applied; its uploads stay on the default storage, and its
 * status says why; the trust policy is applied, the activator verifies, uploads go to the bucket;
 * every binary stays downloadable from where it was stored; a permission is removed, the
 * organization is degraded with the permission named, and uploads fail with that reason.
 */
class ConfigurationGapTest {
  private static final OrganizationId ORG = OrganizationId.of("org-gap");

  @TempDir
  Path dir;


  @Test
  void uploadsSwitchToTheBucketOnlyOnceItIsVerifiedAndNeverSilentlyGoBack() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (S3Fixture fixture = new S3Fixture()) {
      fixture.useClock(clock);
      S3Settings bucket = fixture.onboard(ORG.value(), false, "firmware/");
      BackendContext context = fixture.context(clock, S3Transfer.defaults());
      BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
      assertThat(registry.types()).contains("default", "s3");
      DefaultStorageSettings platformSettings = DefaultStorageSettings.builder().root(dir.resolve("platform"))
          .rootId(DefaultStorageSettings.newRootId())
          .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
          .addSigningKey(SigningKey.of("k1", Secret.ofBytes("0123456789abcdef0123456789abcdef".getBytes(
              StandardCharsets.UTF_8)))).build();
      // the platform as a service wires it: one object, the default storage built from its settings
      try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
          .defaultStorage(platformSettings).registry(registry).context(context)
          .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()) // the testkit's servers stand in for AWS
          .scheduled(false).build()) {
        BinaryBackend platform = binaries.defaultStorage();

        StoredBinary before = binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of("fw/1.bin"),
            new GeneratedContent(1, 1000));

        // registered while the customer's trust policy is not applied yet
        binaries.register(ORG, SettingsJson.of(fixture.settingsJson(bucket)), Optional.empty(), "admin");
        OrganizationStatus pending = binaries.check(ORG);
        assertThat(pending.active()).isEmpty();
        assertThat(pending.uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE);
        assertThat(pending.uploadsReason()).contains("is not applied yet");
        UploadTarget waiting = binaries.forUpload(ORG);
        assertThat(waiting.custom()).isFalse();
        assertThat(waiting.reason()).contains("sts:AssumeRole of " + bucket.roleArn())
            .contains("is not applied yet");
        StoredBinary during = waiting.backend().put(ORG, ObjectKey.of("fw/2.bin"), new GeneratedContent(2, 2000));
        assertThat(during.location().instance()).isEqualTo(platform.instanceId());

        // the customer applies the trust policy; the activator verifies and switches
        fixture.sts.applyTrust(bucket.roleArn().toString(), true);
        OrganizationStatus switched = binaries.check(ORG);
        assertThat(switched.uploadsGoTo()).as(switched.toJson()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);
        assertThat(switched.history()).last().satisfies(t -> assertThat(t.change()).startsWith("switched to"));
        UploadTarget custom = binaries.forUpload(ORG);
        assertThat(custom.custom()).isTrue();
        long size = 2 * S3Transfer.defaults().partSize() + 7;
        StoredBinary after = custom.backend().put(ORG, ObjectKey.of("fw/3.bin"), new GeneratedContent(3, size));
        assertThat(after.location().instance()).isEqualTo(bucket.instanceId());
        try (var s3 = fixture.inspector(bucket)) {
          assertThat(s3.headObject(r -> r.bucket(bucket.bucket().value()).key("firmware/fw/3.bin")).contentLength())
              .as("in the customer's bucket, under the prefix").isEqualTo(size);
        }

        // every binary downloads from where it was stored, with a plain HTTP client
        for (StoredBinary b : new StoredBinary[] {before, during, after}) {
          SignedUrl url = binaries.signDownloadUrl(b.location(), Duration.ofMinutes(10));
          Download d = Download.fetch(url);
          assertThat(d.status()).as(url.redacted()).isEqualTo(200);
          assertThat(d.sha256()).isEqualTo(b.sha256());
        }
        assertThat(binaries.signDownloadUrl(before.location(), Duration.ofMinutes(1)).uri().getPort())
            .as("the earlier binary from the default storage's server")
            .isNotEqualTo(fixture.s3.endpoint().getPort());

        // a permission is removed: degraded with it named, and uploads fail with that reason
        fixture.s3.faults().denyFor(bucket.roleArn().toString(), S3Operation.PUT_OBJECT);
        OrganizationStatus degraded = null;
        for (int i = 0; i < 5 && (degraded == null || degraded.active().orElseThrow().upload().state()
            != PartStatus.DEGRADED); i++) {
          degraded = binaries.check(ORG);
        }
        assertThat(degraded.active().orElseThrow().upload().state()).isEqualTo(PartStatus.DEGRADED);
        assertThat(degraded.uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.NOWHERE);
        assertThatThrownBy(() -> binaries.forUpload(ORG)).isInstanceOf(UploadsSuspendedException.class)
            .hasMessageContaining("lacks s3:PutObject on arn:aws:s3:::" + bucket.bucket() + "/firmware/*");
        assertThat(Download.fetch(binaries.signDownloadUrl(after.location(), Duration.ofMinutes(10))).status())
            .as("what is stored stays downloadable").isEqualTo(200);
      }
    }
  }
}
