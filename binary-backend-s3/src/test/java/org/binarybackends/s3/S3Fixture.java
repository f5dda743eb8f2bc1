package org.binarybackends.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.SwitchableClock;
import org.binarybackends.testkit.s3.EmbeddedS3;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One local STS and one embedded S3 server for a test class, on a clock each test can set (the
 * contract suite makes a new clock per test), and organizations onboarded onto it: the platform-side
 * role, the customer's role trusting it with the organization's external id, and a fresh bucket
 * only that role can use. A test class shares one with
 * {@code @RegisterExtension static final S3Fixture fixture = S3Fixture.start();}, closed after its tests.
 */
final class S3Fixture implements AutoCloseable, AfterAllCallback {
  static final String PLATFORM_ACCOUNT = "210987654321";
  static final String PLATFORM_PRINCIPAL = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":role/platform-service";

  /** The clock of the current test. */
  private final SwitchableClock clock = new SwitchableClock();
  final LocalSts sts;
  final EmbeddedS3 s3;
  final SdkHttpClient http = Apache5HttpClient.builder().maxConnections(64).build();
  final S3Platform platform;
  private final AtomicInteger buckets = new AtomicInteger();
  private final Path root;

  S3Fixture() throws Exception {
    root = Files.createTempDirectory("embedded-s3");
    sts = LocalSts.start(clock);
    s3 = EmbeddedS3.start(root, sts);
    LocalSts.Identity base = sts.addBaseIdentity(PLATFORM_PRINCIPAL);
    platform = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_PRINCIPAL,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey())),
        AwsRegion.of("eu-west-1"), http);
  }

  /** Starts one, for a static field registered as an extension. */
  static S3Fixture start() {
    try {
      return new S3Fixture();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the local STS and the embedded S3 server", e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  void useClock(Clock clock) {
    this.clock.use(clock);
  }

  static RoleArn customerRole(String org) {
    return RoleArn.parse("arn:aws:iam::123456789012:role/" + org + "-binaries");
  }

  /** Onboards {@code org} (trust applied or not) with a new bucket; returns its settings. */
  S3Settings onboard(String org, boolean trustApplied) {
    return onboard(org, trustApplied, "");
  }

  S3Settings onboard(String org, boolean trustApplied, String prefix) {
    PlatformRole platformRole = PlatformRole.of(OrganizationId.of(org), "uploads", PLATFORM_ACCOUNT);
    RoleArn customer = customerRole(org);
    sts.defineRole(platformRole.arn("aws"), PLATFORM_PRINCIPAL, null, true);
    sts.defineRole(customer.toString(), platformRole.arn("aws"), org, trustApplied);
    String bucket = "bucket-" + org.toLowerCase(java.util.Locale.ROOT) + "-" + buckets.incrementAndGet();
    s3.createBucket(bucket, customer.toString());
    return S3Settings.of(org, bucket, "eu-west-1", customer.toString(), "uploads", prefix, null,
        s3.endpoint().toString(), sts.endpoint().toString(), true);
  }

  /** The platform's own storage identity: long-lived keys, not an STS session. */
  static final String PLATFORM_STORAGE_USER = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":user/platform-storage";

  /**
   * A platform bucket usable only with the platform's long-lived keys (added to the server), and the
   * settings of the {@code platform-s3} backend on it.
   */
  PlatformBucketSettings platformBucket(String prefix) {
    s3.addStaticIdentity("AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789", PLATFORM_STORAGE_USER);
    String bucket = "platform-binaries-" + buckets.incrementAndGet();
    s3.createBucket(bucket, PLATFORM_STORAGE_USER, PLATFORM_ACCOUNT);
    return PlatformBucketSettings.of(bucket, "eu-west-1", prefix, null, null, s3.endpoint().toString(), true);
  }

  /** The platform's services with its long-lived storage keys as its own credentials. */
  S3Platform platformWithStorageKeys() {
    return new S3Platform(PLATFORM_ACCOUNT, PLATFORM_STORAGE_USER, StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789")),
        AwsRegion.of("eu-west-1"), http);
  }

  /** A plain S3 client with the platform's long-lived storage keys, to look at the platform's bucket behind its backend's back. */
  S3Client platformInspector() {
    return S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint()).forcePathStyle(true)
        .httpClient(http).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            "AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789"))).build();
  }

  /** The JSON settings of the {@code s3} backend on {@code s}, through this fixture's servers, as an organization registers them. */
  String settingsJson(S3Settings s) {
    return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "s3")
        .put("organization", s.organization().value()).put("bucket", s.bucket().value()).put("region", s.region().id())
        .put("roleArn", s.roleArn().toString()).put("roleName", s.roleName()).put("prefix", s.prefix())
        .put("s3Endpoint", this.s3.endpoint().toString()).put("stsEndpoint", sts.endpoint().toString())
        .put("pathStyleAccess", true).toString();
  }

  BackendContext context(Clock clock, S3Transfer transfer) {
    return BackendContext.builder().clock(clock).service(S3Platform.class, platform)
        .service(S3Transfer.class, transfer).build();
  }

  S3Backend backend(S3Settings settings, Clock clock, S3Transfer transfer) {
    return (S3Backend) new S3BackendProvider().create(settings, context(clock, transfer));
  }

  /** A plain S3 client acting as the organization's role, to look at the bucket behind the backend's back. */
  S3Client inspector(S3Backend backend) {
    AwsSessionCredentials c = (AwsSessionCredentials) backend.chain().credentials().resolveCredentials();
    return S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint()).forcePathStyle(true)
        .httpClient(http).credentialsProvider(StaticCredentialsProvider.create(c)).build();
  }

  /** A plain S3 client acting as the role of {@code settings}, through a role chain of its own. */
  S3Client inspector(S3Settings settings) {
    try (RoleChain chain = new RoleChain(settings.organization(), PlatformRole.of(settings.organization(),
        settings.roleName(), PLATFORM_ACCOUNT), settings.roleArn(), platform.stsRegion(), platform.baseCredentials(),
        http, java.util.Optional.of(sts.endpoint()))) {
      var c = chain.probe();
      return S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint()).forcePathStyle(true)
          .httpClient(http).credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
              c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))).build();
    }
  }

  @Override
  public void close() throws java.io.IOException {
    s3.close();
    sts.close();
    http.close();
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
