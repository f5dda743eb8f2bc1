package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.binarybackends.OrganizationId;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.EmbeddedS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The embedded S3 server can tell right from wrong: the role chain's session credentials work on
 * their organization's bucket, not on another's, and not after they expire.
 */
class EmbeddedS3Test {
  private static final String PLATFORM = "arn:aws:iam::210987654321:role/platform-service";

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(Instant.now());
  private final SdkHttpClient http = Apache5HttpClient.create();
  private LocalSts sts;
  private EmbeddedS3 s3;
  private LocalSts.Identity base;

  @BeforeEach
  void start() {
    sts = LocalSts.start(clock);
    s3 = EmbeddedS3.start(dir.resolve("s3"), sts);
    base = sts.addBaseIdentity(PLATFORM);
  }

  @AfterEach
  void stop() {
    s3.close();
    sts.close();
    http.close();
  }

  /** Registers organization {@code org} with its role and bucket; returns its session credentials. */
  private Credentials onboard(String org, String bucket) {
    OrganizationId id = OrganizationId.of(org);
    PlatformRole platformRole = PlatformRole.of(id, "uploads", "210987654321");
    RoleArn customer = RoleArn.parse("arn:aws:iam::12345678901" + org.length() + ":role/" + org + "-uploads");
    sts.defineRole(platformRole.arn("aws"), PLATFORM, null, true);
    sts.defineRole(customer.toString(), platformRole.arn("aws"), org, true);
    s3.createBucket(bucket, customer.toString());
    try (RoleChain chain = new RoleChain(id, platformRole, customer, AwsRegion.of("eu-west-1"),
        StaticCredentialsProvider.create(AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey())),
        http, Optional.of(sts.endpoint()))) {
      return chain.probe();
    }
  }

  private S3Client client(Credentials c) {
    AwsCredentialsProvider creds = StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(),
        c.secretAccessKey(), c.sessionToken()));
    return S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.endpoint()).forcePathStyle(true)
        .credentialsProvider(creds).httpClient(http).build();
  }

  @Test
  void anOrganizationsSessionWorksOnItsBucketOnlyAndUntilItExpires() {
    Credentials a = onboard("org-a", "bucket-a");
    onboard("org-bb", "bucket-b");
    try (S3Client asA = client(a)) {
      asA.putObject(r -> r.bucket("bucket-a").key("fw/1.bin"), RequestBody.fromString("firmware"));
      assertThat(asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin")).asUtf8String()).isEqualTo("firmware");
      assertThatThrownBy(() -> asA.putObject(r -> r.bucket("bucket-b").key("x"), RequestBody.fromString("intruder")))
          .isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
          });
      clock.advance(Duration.ofHours(1).plusSeconds(1));
      assertThatThrownBy(() -> asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin")))
          .as("the session expired by the STS's clock").isInstanceOfSatisfying(S3Exception.class,
              e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  @Test
  void whenRequiredARequestNamingNoExpectedOwnerIsRefusedAndOneNamingTheRightOneServed() {
    Credentials a = onboard("org-a", "bucket-a");
    try (S3Client asA = client(a)) {
      asA.putObject(r -> r.bucket("bucket-a").key("fw/1.bin"), RequestBody.fromString("firmware"));
      s3.requireExpectedOwner(true);
      assertThatThrownBy(() -> asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin")))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
      String owner = "12345678901" + "org-a".length();
      assertThat(asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin").expectedBucketOwner(owner))
          .asUtf8String()).isEqualTo("firmware");
      assertThatThrownBy(() -> asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin")
          .expectedBucketOwner("999999999999"))).isInstanceOfSatisfying(S3Exception.class,
              e -> assertThat(e.statusCode()).isEqualTo(403));
      s3.requireExpectedOwner(false);
      assertThat(asA.getObjectAsBytes(r -> r.bucket("bucket-a").key("fw/1.bin")).asUtf8String()).isEqualTo("firmware");
    }
  }

  @Test
  void aWrongSecretIsRefused() {
    Credentials a = onboard("org-a", "bucket-a");
    Credentials forged = Credentials.builder().accessKeyId(a.accessKeyId()).secretAccessKey("not-the-secret")
        .sessionToken(a.sessionToken()).build();
    try (S3Client wrong = client(forged)) {
      assertThatThrownBy(() -> wrong.putObject(r -> r.bucket("bucket-a").key("x"), RequestBody.fromString("x")))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  @Test
  void thePlatformsOwnLongLivedKeysWorkOnItsBucketOnlyAndAreToldFromAnOrganizationsSession() {
    String platformUser = "arn:aws:iam::210987654321:user/platform-storage";
    s3.addStaticIdentity("AKIAPLATFORMSTORAGE1", "platform-secret-0123456789", platformUser);
    s3.createBucket("platform-binaries", platformUser, "210987654321");
    Credentials a = onboard("org-a", "bucket-a");
    AwsCredentialsProvider keys = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAPLATFORMSTORAGE1",
        "platform-secret-0123456789"));
    try (S3Client platform = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.endpoint())
        .forcePathStyle(true).credentialsProvider(keys).httpClient(http).build(); S3Client asA = client(a)) {
      platform.putObject(r -> r.bucket("platform-binaries").key("org-a/fw.bin"), RequestBody.fromString("default"));
      assertThat(platform.getObjectAsBytes(r -> r.bucket("platform-binaries").key("org-a/fw.bin")).asUtf8String())
          .isEqualTo("default");
      assertThatThrownBy(() -> asA.getObjectAsBytes(r -> r.bucket("platform-binaries").key("org-a/fw.bin")))
          .as("an organization's session is not the platform").isInstanceOfSatisfying(S3Exception.class,
              e -> assertThat(e.statusCode()).isEqualTo(403));
      assertThatThrownBy(() -> platform.getObjectAsBytes(r -> r.bucket("bucket-a").key("x")))
          .as("nor is the platform the organization").isInstanceOfSatisfying(S3Exception.class,
              e -> assertThat(e.statusCode()).isEqualTo(403));
      clock.advance(Duration.ofDays(2));
      assertThat(platform.getObjectAsBytes(r -> r.bucket("platform-binaries").key("org-a/fw.bin")).asUtf8String())
          .as("long-lived keys do not expire with the STS's clock").isEqualTo("default");
    }
    AwsCredentialsProvider wrong = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAPLATFORMSTORAGE1",
        "not-the-secret"));
    try (S3Client forged = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.endpoint())
        .forcePathStyle(true).credentialsProvider(wrong).httpClient(http).build()) {
      assertThatThrownBy(() -> forged.getObjectAsBytes(r -> r.bucket("platform-binaries").key("org-a/fw.bin")))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }
}
