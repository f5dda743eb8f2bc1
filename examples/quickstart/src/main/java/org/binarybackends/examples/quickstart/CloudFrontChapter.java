package org.binarybackends.examples.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
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
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.CloudFrontEdgeEmulator;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * Part four: an organization serves its bucket through its own CloudFront distribution, against the
 * testkit's local STS, embedded S3 server and CloudFront edge emulator. Registered with the bucket
 * (upload configuration) and the distribution (download configuration) before the distribution trusts the key, it stays
 * on the platform's storage, and its status says why; once the public key is in the key group, both
 * parts verify and it switches; a new binary downloads from the edge through a signed URL, which
 * stops working when it says; a new key is added and takes over without a failed download.
 */
final class CloudFrontChapter {
  private static final String PLATFORM_ACCOUNT = "210987654321";
  private static final String PLATFORM_PRINCIPAL = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":role/platform-service";
  private static final String CUSTOMER_ROLE = "arn:aws:iam::123456789012:role/globex-binaries";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CloudFrontChapter() {}

  static void run(Path root, BinaryBackend platform, HttpClient http, BiConsumer<String, Boolean> check)
      throws Exception {
    System.out.println();
    System.out.println("== The organization serves its bucket through CloudFront (edge emulator from the testkit)");
    OrganizationId org = OrganizationId.of("globex");
    try (LocalSts sts = LocalSts.start(); EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3-cloudfront"), sts);
        SdkHttpClient awsHttp = Apache5HttpClient.create();
        CloudFrontEdgeEmulator edge = CloudFrontEdgeEmulator.start(s3.cloudFrontOrigin("globex-firmware", ""),
            Clock.systemUTC())) {
      LocalSts.Identity platformIdentity = sts.addBaseIdentity(PLATFORM_PRINCIPAL);
      String platformRole = PlatformRole.of(org, "fw", PLATFORM_ACCOUNT).arn("aws");
      sts.defineRole(platformRole, PLATFORM_PRINCIPAL, null, true);
      sts.defineRole(CUSTOMER_ROLE, platformRole, org.value(), true);
      s3.createBucket("globex-firmware", CUSTOMER_ROLE);
      // the customer's key pairs: CloudFront keeps the public keys, the platform the private ones
      KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
      rsaGenerator.initialize(2048);
      KeyPair first = rsaGenerator.generateKeyPair();
      KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
      ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair second = ecGenerator.generateKeyPair();

      S3Platform s3Platform = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_PRINCIPAL, StaticCredentialsProvider.create(
          AwsBasicCredentials.create(platformIdentity.accessKeyId(), platformIdentity.secretAccessKey())),
          AwsRegion.of("eu-west-1"), awsHttp);
      BackendContext context = BackendContext.builder().service(S3Platform.class, s3Platform).build();
      // the backends' notes (which key signs) go through the state store, so every instance agrees
      try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
          .defaultStorage(platform).context(context).policy(S3Chapter.TESTKIT_POLICY).scheduled(false).build()) {
        ObjectNode bucket = bucketSettings(org, s3, sts);
        binaries.register(org, SettingsJson.of(bucket.toString()), Optional.of(distributionSettings(bucket, edge,
            "K1GLOBEXRSA", first)), "quickstart");
        binaries.check(org);
        UploadTarget waiting = binaries.forUpload(org);
        System.out.println("Uploads go to " + waiting.backend().instanceId() + " because " + waiting.reason());
        check.accept("before the distribution trusts the key, uploads stay on the platform's storage",
            !waiting.custom() && waiting.reason().contains("not in the distribution's trusted key group"));

        edge.trust("K1GLOBEXRSA", first.getPublic()); // the customer adds the public key to the key group
        binaries.check(org);
        UploadTarget target = binaries.forUpload(org);
        StoredBinary stored = target.backend().put(org, ObjectKey.of("firmware/camera v5.bin"),
            new Quickstart.Firmware(6 << 20));
        check.accept("bucket and distribution verified (" + target.reason() + "), a new upload lands in "
            + stored.location(), target.custom());

        SignedUrl url = binaries.signDownloadUrl(stored.location(), Duration.ofMinutes(30));
        check.accept("downloads come from the edge: " + url.redacted() + ", valid until " + url.expiresAt(),
            url.uri().getPort() == edge.baseUrl().getPort() && download(http, url, stored.sha256()));

        edge.trust("K2GLOBEXEC", second.getPublic()); // rotation: the new public key joins the key group first
        binaries.register(org, SettingsJson.of(bucket.toString()), Optional.of(distributionSettings(bucket, edge,
            "K1GLOBEXRSA", first, "K2GLOBEXEC", second)), "quickstart");
        binaries.check(org);
        SignedUrl rotated = binaries.signDownloadUrl(stored.location(), Duration.ofMinutes(30));
        check.accept("after the rotation the new key signs, and the old key's URL still works",
            rotated.uri().getRawQuery().contains("Key-Pair-Id=K2GLOBEXEC") && download(http, rotated, stored.sha256())
                && download(http, url, stored.sha256()));
      }
    }
  }

  private static boolean download(HttpClient http, SignedUrl url, Sha256Digest expected) throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url.uri()).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
      return r.statusCode() == 200 && Quickstart.digest(body).equals(expected);
    }
  }

  private static ObjectNode bucketSettings(OrganizationId org, EmbeddedS3 s3, LocalSts sts) {
    return JSON.createObjectNode().put("type", "s3").put("organization", org.value())
        .put("bucket", "globex-firmware").put("region", "eu-west-1").put("roleArn", CUSTOMER_ROLE).put("roleName", "fw")
        .put("s3Endpoint", s3.endpoint().toString()).put("stsEndpoint", sts.endpoint().toString())
        .put("pathStyleAccess", true);
  }

  /** The distribution's settings, with its key pairs oldest first (id, key pair, id, key pair...). */
  private static SettingsJson distributionSettings(ObjectNode bucket, CloudFrontEdgeEmulator edge, Object... keys) {
    ObjectNode n = JSON.createObjectNode().put("type", "cloudfront").put("host", "d2globex0000.cloudfront.net")
        .put("endpoint", edge.baseUrl().toString()); // the emulator instead of https://<host>: for tests only
    var array = n.putArray("keys");
    for (int i = 0; i < keys.length; i += 2) {
      String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
          ((KeyPair) keys[i + 1]).getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
      array.addObject().put("keyPairId", (String) keys[i]).put("privateKey", pem);
    }
    n.set("origin", bucket);
    return SettingsJson.of(n.toString());
  }
}
