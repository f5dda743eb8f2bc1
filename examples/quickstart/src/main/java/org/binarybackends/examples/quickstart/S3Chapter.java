package org.binarybackends.examples.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;
import org.binarybackends.testkit.s3.S3Operation;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * Part three: an organization brings its own S3 bucket, against the testkit's local STS and embedded
 * S3 server instead of AWS. Registered before the customer applies the trust policy, it stays on the
 * platform's storage, and its status says why; once the policy is applied, the activator verifies and
 * switches; what was stored before still downloads from the platform's storage, what is stored after
 * through a presigned S3 URL; a permission removed later degrades it, with the permission named, and
 * uploads stop rather than silently going back.
 */
final class S3Chapter {
  /**
   * The activation policy of the quickstart: organizations' settings may name endpoints only because
   * the testkit's local STS, S3 server and CloudFront edge stand in for AWS here; a platform leaves
   * this off, the default, so that no organization can point the platform's requests at its own host.
   */
  static final ActivationPolicy TESTKIT_POLICY = ActivationPolicy.builder().allowEndpointOverrides(true).build();
  private static final String PLATFORM_ACCOUNT = "210987654321";
  private static final String PLATFORM_PRINCIPAL = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":role/platform-service";
  private static final String CUSTOMER_ROLE = "arn:aws:iam::123456789012:role/acme-binaries";

  private S3Chapter() {}

  static void run(Path root, BinaryBackend platform, OrganizationId org, StoredBinary storedBefore, HttpClient http,
      BiConsumer<String, Boolean> check) throws Exception {
    System.out.println();
    System.out.println("== The organization brings its own S3 bucket (local STS and S3 server from the testkit)");
    try (LocalSts sts = LocalSts.start(); EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), sts);
        SdkHttpClient awsHttp = Apache5HttpClient.create()) {
      // the platform's side: its identity, and the per-organization role the customer will trust
      LocalSts.Identity platformIdentity = sts.addBaseIdentity(PLATFORM_PRINCIPAL);
      String platformRole = PlatformRole.of(org, "fw", PLATFORM_ACCOUNT).arn("aws");
      sts.defineRole(platformRole, PLATFORM_PRINCIPAL, null, true);
      // the customer's side: a bucket and a role whose trust policy is not applied yet
      sts.defineRole(CUSTOMER_ROLE, platformRole, org.value(), false);
      s3.createBucket("acme-firmware", CUSTOMER_ROLE);

      S3Platform s3Platform = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_PRINCIPAL, StaticCredentialsProvider.create(
          AwsBasicCredentials.create(platformIdentity.accessKeyId(), platformIdentity.secretAccessKey())),
          AwsRegion.of("eu-west-1"), awsHttp);
      BackendContext context = BackendContext.builder().service(S3Platform.class, s3Platform).build();
      try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
          .defaultStorage(platform).context(context).policy(TESTKIT_POLICY).scheduled(false).build()) {
        binaries.register(org, bucketSettings(org, s3, sts), Optional.empty(), "quickstart");
        binaries.check(org);
        UploadTarget waiting = binaries.forUpload(org);
        System.out.println("Uploads go to " + waiting.backend().instanceId() + " because " + waiting.reason());
        check.accept("before the trust policy is applied, uploads stay on the platform's storage",
            !waiting.custom() && waiting.reason().contains("is not applied yet"));

        sts.applyTrust(CUSTOMER_ROLE, true); // the customer saves the trust policy
        binaries.check(org);
        UploadTarget bucket = binaries.forUpload(org);
        StoredBinary after = bucket.backend().put(org, ObjectKey.of("firmware/sensor-v3.0.0.bin"),
            new Quickstart.Firmware(12 << 20));
        check.accept("after verification (" + bucket.reason() + "), a new upload lands in " + after.location(),
            bucket.custom() && after.location().instance().type().equals("s3"));

        for (StoredBinary b : new StoredBinary[] {storedBefore, after}) {
          SignedUrl url = binaries.signDownloadUrl(b.location(), Duration.ofMinutes(30));
          HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url.uri()).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          Sha256Digest got;
          try (InputStream body = r.body()) {
            got = Quickstart.digest(body);
          }
          check.accept(b.location() + " downloads: HTTP " + r.statusCode() + ", URL works until " + url.expiresAt(),
              r.statusCode() == 200 && got.equals(b.sha256()));
        }

        s3.faults().denyFor(CUSTOMER_ROLE, S3Operation.PUT_OBJECT); // someone edits the role's policy
        for (int i = 0; i < 3; i++) {
          binaries.check(org);
        }
        try {
          binaries.forUpload(org);
          check.accept("a degraded organization's uploads are refused", false);
        } catch (UploadsSuspendedException e) {
          check.accept("degraded, and uploads refused with the reason: " + e.getMessage().substring(0,
              Math.min(160, e.getMessage().length())) + "...", e.getMessage().contains("lacks s3:PutObject"));
        }
      }
    }
  }

  private static SettingsJson bucketSettings(OrganizationId org, EmbeddedS3 s3, LocalSts sts) {
    return SettingsJson.of(new ObjectMapper().createObjectNode().put("type", "s3").put("organization", org.value())
        .put("bucket", "acme-firmware").put("region", "eu-west-1").put("roleArn", CUSTOMER_ROLE).put("roleName", "fw")
        .put("prefix", "firmware-store/").put("s3Endpoint", s3.endpoint().toString())
        .put("stsEndpoint", sts.endpoint().toString()).put("pathStyleAccess", true).toString());
  }
}
