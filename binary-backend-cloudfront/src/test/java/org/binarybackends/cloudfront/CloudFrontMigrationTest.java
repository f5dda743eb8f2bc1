package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationPlan;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.testkit.Download;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An organization changing bucket behind CloudFront (a bucket and its distribution, then another
 * bucket of the same role and its own distribution): the move copies inside S3, recognised through
 * the CloudFront backends in front of both buckets, and the binaries of the first bucket download
 * through the second distribution afterwards, by their original locations.
 */
class CloudFrontMigrationTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();

  @TempDir
  Path dir;

  @Test
  void aMoveBetweenTwoBucketsBehindCloudFrontCopiesInsideS3AndDownloadsComeFromTheNewEdge() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    S3Settings first = fixture.onboard("cf-move", "firmware/");
    OrganizationId org = first.organization();
    CloudFrontFixture.Distribution d1 = fixture.distribution(first, "/firmware");
    d1.edge().trust("K1RSA", fixture.publicKey("rsa-public.pem", "RSA"));
    DefaultStorageSettings platformSettings = CloudFrontFixture.platformStorage(dir.resolve("platform"));
    try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
        .defaultStorage(platformSettings).context(fixture.context(clock))
        .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()).scheduled(false).build()) {
      binaries.register(org, SettingsJson.of(fixture.s3Json(first).toString()),
          Optional.of(fixture.cloudFrontJson(first, d1.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem")), "admin");
      binaries.check(org);
      assertThat(binaries.forUpload(org).backend().instanceId()).isEqualTo(first.instanceId());
      List<StoredBinary> stored = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        stored.add(binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/" + i + ".bin"),
            new GeneratedContent(60 + i, 3000 + i)));
      }

      // the same role, another bucket and its own distribution
      S3Settings second = fixture.onboard("cf-move", "firmware/");
      CloudFrontFixture.Distribution d2 = fixture.distribution(second, "/firmware");
      d2.edge().trust("K1RSA", fixture.publicKey("rsa-public.pem", "RSA"));
      binaries.register(org, SettingsJson.of(fixture.s3Json(second).toString()),
          Optional.of(fixture.cloudFrontJson(second, d2.edge().baseUrl(), "K1RSA", "rsa-pkcs8.pem")), "admin");
      binaries.check(org);
      assertThat(binaries.forUpload(org).backend().instanceId()).isEqualTo(second.instanceId());

      MigrationPlan plan = binaries.migrations().plan(org, first.instanceId(), second.instanceId());
      assertThat(plan.copiesInStorage()).as(plan.toString()).isTrue();
      List<String> uploads = new java.util.concurrent.CopyOnWriteArrayList<>();
      fixture.s3.faults().watch(r -> {
        if (r.bucket().equals(second.bucket().value()) && r.operation() == S3Operation.PUT_OBJECT && !r.isCopy()
            && !r.key().contains("/.binary-backends/")) { // binaries, not the library's records (a few bytes each)
          uploads.add(r.key());
        }
      });
      MigrationStatus done = binaries.migrations().run(org, first.instanceId(), second.instanceId(),
          MigrationOptions.builder("ops").build(), MigrationListener.none());
      assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
      assertThat(done.copied()).isEqualTo(4);
      assertThat(uploads).as("no binary uploaded through this process").isEmpty();

      // the CloudFront backends of the two distributions recognise the buckets behind them
      try (org.binarybackends.BinaryBackend front1 = cloudFront(first, d1, clock);
          org.binarybackends.BinaryBackend front2 = cloudFront(second, d2, clock)) {
        var copier = front2.serverSideCopyFrom(front1);
        assertThat(copier).isPresent();
        StoredBinary later = front1.put(org, ObjectKey.of("fw/later.bin"), new GeneratedContent(70, 4000));
        StoredBinary copy = copier.get().copy(org, later.key(), later.sha256());
        assertThat(copy.location().instance()).isEqualTo(second.instanceId());
        assertThat(front2.stat(org, later.key()).sha256()).isEqualTo(later.sha256());
        assertThat(front2.unwrap(CloudFrontBackend.class)).get().isSameAs(front2);
      }
      assertThat(uploads).as("still none").isEmpty();

      for (StoredBinary b : stored) {
        SignedUrl url = binaries.signDownloadUrl(b.location(), Duration.ofMinutes(10));
        assertThat(url.uri().getPort()).as("through the second distribution").isEqualTo(d2.edge().baseUrl().getPort());
        Download got = Download.fetch(url);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.sha256()).isEqualTo(b.sha256());
      }
    }
  }

  private static org.binarybackends.BinaryBackend cloudFront(S3Settings bucket, CloudFrontFixture.Distribution d,
      ManualClock clock) {
    CloudFrontSettings settings = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).origin(bucket).originPath("/firmware").ttl(Duration.ofHours(1))
        .key("K1RSA", Secret.of(fixture.pem("rsa-pkcs8.pem")), null).build();
    return new CloudFrontBackendProvider().create(settings, fixture.context(clock));
  }
}
