package org.binarybackends.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.Secret;
import org.binarybackends.cloudfront.CloudFrontBackendProvider;
import org.binarybackends.cloudfront.CloudFrontSettings;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.S3BackendProvider;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.SharedNotes;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * The heap one organization's backend takes once built (no AWS call is made: a backend assumes its
 * role on first use): {@code s3}; {@code cloudfront} as the download configuration of a configuration (one URL
 * signed, no storage call: it holds no S3 backend); and {@code cloudfront} after a storage call (it
 * then holds its own S3 backend for its origin). Builds {@code n} of each kind, one organization,
 * bucket and key each, and prints the heap after a full GC divided by {@code n}. One platform and one
 * HTTP client for all, as in a service.
 */
public final class BackendMemory {
  private BackendMemory() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair()
        .getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    try (SdkHttpClient http = Apache5HttpClient.create()) {
      S3Platform platform = new S3Platform("210987654321", "arn:aws:iam::210987654321:role/platform-service",
          StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLEEXAMPLE", "not-used")),
          AwsRegion.of("eu-west-1"), http);
      BackendContext context = BackendContext.builder().service(S3Platform.class, platform)
          .service(SharedNotes.class, SharedNotes.inProcess()).build();
      for (String type : new String[] {"s3", "cloudfront-signing", "cloudfront-storage"}) {
        List<BinaryBackend> built = new ArrayList<>();
        built.add(build(type, -1, pem, context)); // classes loaded, shared parts made
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
          built.add(build(type, i, pem, context));
        }
        long after = usedAfterGc();
        System.out.printf(Locale.ROOT, "%-18s %,d backends: %.0f KiB each (heap after GC)%n", type, n,
            (after - before) / 1024.0 / n);
        built.forEach(BinaryBackend::close);
      }
    }
  }

  private static BinaryBackend build(String type, int i, String pem, BackendContext context) {
    String org = "org-" + (i + 1);
    S3Settings bucket = S3Settings.of(org, "bucket-" + (i + 1), "eu-west-1", "arn:aws:iam::123456789012:role/r"
        + (i + 1), "fw", "firmware/", null, null, null, false);
    if (type.equals("s3")) {
      return new S3BackendProvider().create(bucket, context);
    }
    CloudFrontSettings settings = CloudFrontSettings.builder().host("d1234567890.cloudfront.net").origin(bucket)
        .key("K" + (i + 1), Secret.ofBytes(pem.getBytes(StandardCharsets.US_ASCII)), null).build();
    BinaryBackend backend = new CloudFrontBackendProvider().create(settings, context);
    backend.signDownloadUrl(bucket.organization(), ObjectKey.of("firmware/v1.bin"), Duration.ofHours(1));
    if (type.equals("cloudfront-storage")) {
      backend.directUploads(); // a storage call that needs no server: the S3 backend is built
    }
    return backend;
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
