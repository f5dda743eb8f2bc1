package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.ControlledBackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The platform's bucket as the entry point's default storage, through the configuration gap: what
 * an organization stored there before it switched to its own storage stays readable from there after.
 */
class PlatformBucketDefaultTest {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final OrganizationId ORG = OrganizationId.of("org-a");

  private static String read(BinaryBackends binaries, StoredBinary stored) throws Exception {
    try (BinaryContent c = binaries.forBinary(stored.location()).read(ORG, stored.key())) {
      return new String(c.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void binariesStoredInThePlatformsBucketBeforeTheSwitchStayReadableThereAfterIt() throws Exception {
    fixture.useClock(java.time.Clock.systemUTC());
    ControlledBackendProvider own = new ControlledBackendProvider();
    try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
        .defaultStorage(fixture.platformBucket("binaries/"))
        .registry(BinaryBackendRegistry.of(new PlatformBucketProvider(), own))
        .context(BackendContext.builder().service(S3Platform.class, fixture.platformWithStorageKeys()).build())
        .policy(ActivationPolicy.builder().allowedTypes("controlled").build()).scheduled(false).build()) {
      StoredBinary before = binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of("fw/1.0.bin"),
          new ByteArrayInputStream("one".getBytes(StandardCharsets.UTF_8)));
      assertThat(before.location().instance().type()).isEqualTo("platform-s3");

      binaries.register(ORG, org.binarybackends.activation.SettingsJson.of(ControlledBackendProvider.settingsJson(
          "bucket-1")), "alice");
      binaries.check(ORG);
      assertThat(binaries.forUpload(ORG).custom()).isTrue();
      StoredBinary after = binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of("fw/2.0.bin"),
          new ByteArrayInputStream("two".getBytes(StandardCharsets.UTF_8)));

      assertThat(read(binaries, before)).isEqualTo("one");
      assertThat(read(binaries, after)).isEqualTo("two");
      assertThat(binaries.signDownloadUrl(before.location(), java.time.Duration.ofMinutes(5)).uri().getPath())
          .contains("/binaries/org-a/fw/1.0.bin");
      assertThat(binaries.defaultStorage().verify().passed()).isTrue();
    }
  }

  @Test
  void anOrganizationNamingThePlatformsBucketAsItsOwnStorageIsRefused() {
    PlatformBucketSettings platformBucket = fixture.platformBucket("binaries/");
    ControlledBackendProvider own = new ControlledBackendProvider();
    try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
        .defaultStorage(platformBucket).registry(BinaryBackendRegistry.of(new PlatformBucketProvider(), own))
        .context(BackendContext.builder().service(S3Platform.class, fixture.platformWithStorageKeys()).build())
        .scheduled(false).build()) {
      // the default policy: organizations register s3 and cloudfront only; the platform's bucket serves
      // every organization, so as an organization's own storage it would read them all
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> binaries.register(ORG,
          org.binarybackends.activation.SettingsJson.of(platformBucket.toJson()), "mallory"))
          .isInstanceOf(org.binarybackends.InvalidConfigurationException.class).hasMessageContaining("platform-s3");
      assertThat(binaries.status(ORG).active()).isEmpty();
      assertThat(binaries.status(ORG).staged()).isEmpty();
    }
  }
}
