package org.binarybackends.cloudfront;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.OrganizationId;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.s3.S3Transfer;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.SharedNotes;
import org.binarybackends.testkit.CloudFrontEdgeEmulator;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.SwitchableClock;
import org.binarybackends.testkit.s3.EmbeddedS3;
import org.binarybackends.testkit.s3.OacOrigin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * A local STS, an embedded S3 server, CloudFront edge emulators in front of its buckets, and the
 * real key files openssl makes, for one test class, on a clock each test can set. Register with
 * {@code @RegisterExtension static final CloudFrontFixture fixture = CloudFrontFixture.start();}.
 */
final class CloudFrontFixture implements AutoCloseable, AfterAllCallback {
  static final String PLATFORM_ACCOUNT = "210987654321";
  static final String PLATFORM_PRINCIPAL = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":role/platform-service";
  static final String HOST = "d1234567890.cloudfront.net";

  /** The clock of the current test, which the STS and the edges read. */
  final SwitchableClock sharedClock = new SwitchableClock();
  final Path root;
  final Path keys;
  final LocalSts sts;
  final EmbeddedS3 s3;
  final SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build();
  final S3Platform platform;
  private final AtomicInteger buckets = new AtomicInteger();
  private final java.util.List<CloudFrontEdgeEmulator> edges = new java.util.concurrent.CopyOnWriteArrayList<>();

  private CloudFrontFixture() throws Exception {
    root = Files.createTempDirectory("cloudfront-fixture");
    keys = Files.createDirectories(root.resolve("keys"));
    Keys.make(keys);
    Keys.openssl(keys, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa2-pkcs8.pem");
    Keys.openssl(keys, "pkey", "-in", "rsa2-pkcs8.pem", "-pubout", "-out", "rsa2-public.pem");
    sts = LocalSts.start(sharedClock);
    s3 = EmbeddedS3.start(root.resolve("s3"), sts);
    LocalSts.Identity base = sts.addBaseIdentity(PLATFORM_PRINCIPAL);
    platform = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_PRINCIPAL,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey())),
        AwsRegion.of("eu-west-1"), http);
  }

  static CloudFrontFixture start() {
    try {
      return new CloudFrontFixture();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the CloudFront fixture", e);
    }
  }

  void useClock(Clock clock) {
    sharedClock.use(clock);
  }

  /** Onboards {@code org} with a new bucket, trust applied; returns the bucket's settings. */
  /** The platform's default storage under {@code root}: a download server on a free port, one signing key. */
  static org.binarybackends.defaultstore.DefaultStorageSettings platformStorage(java.nio.file.Path root) {
    return org.binarybackends.defaultstore.DefaultStorageSettings.builder().root(root)
        .rootId(org.binarybackends.defaultstore.DefaultStorageSettings.newRootId())
        .downloadServerAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(org.binarybackends.defaultstore.SigningKey.of("k1", org.binarybackends.Secret.ofBytes(
            "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build();
  }

  S3Settings onboard(String org, String prefix) {
    PlatformRole platformRole = PlatformRole.of(OrganizationId.of(org), "uploads", PLATFORM_ACCOUNT);
    String customer = "arn:aws:iam::123456789012:role/" + org + "-binaries";
    sts.defineRole(platformRole.arn("aws"), PLATFORM_PRINCIPAL, null, true);
    sts.defineRole(customer, platformRole.arn("aws"), org, true);
    String bucket = "cf-" + org.toLowerCase(Locale.ROOT) + "-" + buckets.incrementAndGet();
    s3.createBucket(bucket, customer);
    return S3Settings.of(org, bucket, "eu-west-1", customer, "uploads", prefix, null, s3.endpoint().toString(),
        sts.endpoint().toString(), true);
  }

  /** The platform's own storage identity: long-lived keys, not an STS session. */
  static final String PLATFORM_STORAGE_USER = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":user/platform-storage";

  /** A new platform bucket, usable with the platform's long-lived keys only, and its platform-s3 settings. */
  org.binarybackends.s3.PlatformBucketSettings platformBucket(String prefix) {
    s3.addStaticIdentity("AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789", PLATFORM_STORAGE_USER);
    String bucket = "cf-platform-" + buckets.incrementAndGet();
    s3.createBucket(bucket, PLATFORM_STORAGE_USER, PLATFORM_ACCOUNT);
    return org.binarybackends.s3.PlatformBucketSettings.of(bucket, "eu-west-1", prefix, null, null,
        s3.endpoint().toString(), true);
  }

  /** A distribution (emulated) in front of the platform's {@code bucket}; closed with the fixture. */
  Distribution distribution(org.binarybackends.s3.PlatformBucketSettings bucket, String originPath) {
    OacOrigin origin = s3.cloudFrontOrigin(bucket.bucket().value(), originPath);
    CloudFrontEdgeEmulator edge = CloudFrontEdgeEmulator.start(origin, sharedClock);
    edges.add(edge);
    return new Distribution(edge, origin);
  }

  /** The platform's services with its long-lived storage keys as its own credentials, no notes. */
  BackendContext platformContext(Clock clock) {
    S3Platform storage = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_STORAGE_USER, StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789")),
        AwsRegion.of("eu-west-1"), http);
    return BackendContext.builder().clock(clock).service(S3Platform.class, storage)
        .service(S3Transfer.class, new S3Transfer(5L << 20, 4)).build();
  }

  /** A distribution (emulated) in front of {@code bucket}, trusting no key yet; closed with the fixture. */
  Distribution distribution(S3Settings bucket, String originPath) {
    OacOrigin origin = s3.cloudFrontOrigin(bucket.bucket().value(), originPath);
    CloudFrontEdgeEmulator edge = CloudFrontEdgeEmulator.start(origin, sharedClock);
    edges.add(edge);
    return new Distribution(edge, origin);
  }

  record Distribution(CloudFrontEdgeEmulator edge, OacOrigin origin) {}

  /** The JSON settings of the {@code s3} backend on {@code s}, through this fixture's servers. */
  com.fasterxml.jackson.databind.node.ObjectNode s3Json(S3Settings s) {
    return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "s3")
        .put("organization", s.organization().value()).put("bucket", s.bucket().value()).put("region", s.region().id())
        .put("roleArn", s.roleArn().toString()).put("roleName", s.roleName()).put("prefix", s.prefix())
        .put("s3Endpoint", this.s3.endpoint().toString()).put("stsEndpoint", sts.endpoint().toString())
        .put("pathStyleAccess", true);
  }

  /** The JSON settings of the {@code cloudfront} backend in front of {@code bucket} through {@code edge}, with these keys. */
  org.binarybackends.activation.SettingsJson cloudFrontJson(S3Settings bucket, java.net.URI edge,
      String... idsAndKeyFiles) {
    com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", "cloudfront").put("host", HOST).put("endpoint", edge.toString())
        .put("ttlSeconds", 3600).put("originPath", "/firmware");
    var keys = n.putArray("keys");
    for (int i = 0; i < idsAndKeyFiles.length; i += 2) {
      keys.addObject().put("keyPairId", idsAndKeyFiles[i]).put("privateKey", pem(idsAndKeyFiles[i + 1]));
    }
    n.set("origin", s3Json(bucket));
    return org.binarybackends.activation.SettingsJson.of(n.toString());
  }

  /** The PEM text of a key file made by openssl. */
  String pem(String file) {
    try {
      return Files.readString(keys.resolve(file));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  java.security.PublicKey publicKey(String file, String algorithm) {
    try {
      return Keys.publicKey(keys.resolve(file), algorithm);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  BackendContext context(Clock clock, SharedNotes notes) {
    return context(clock).toBuilder().service(SharedNotes.class, notes).build();
  }

  /** The platform's services without notes: for a BinaryBackends, which gives them its store's. */
  BackendContext context(Clock clock) {
    return BackendContext.builder().clock(clock).service(S3Platform.class, platform)
        .service(S3Transfer.class, new S3Transfer(5L << 20, 4)).build();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public void close() throws java.io.IOException {
    edges.forEach(CloudFrontEdgeEmulator::close);
    s3.close();
    sts.close();
    http.close();
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
