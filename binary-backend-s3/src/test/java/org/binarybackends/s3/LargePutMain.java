package org.binarybackends.s3;

import java.net.URI;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * Run in a JVM of its own with a small heap by {@link LargeBinaryTest}: puts a generated binary of
 * unknown length through the S3 backend, reads it back whole, and prints both digests.
 *
 * <p>Arguments: STS endpoint, S3 endpoint, base access key, base secret, bucket, organization, size.
 */
public final class LargePutMain {
  private LargePutMain() {}

  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[6]);
    try (SdkHttpClient http = Apache5HttpClient.builder().maxConnections(16).build()) {
      S3Platform platform = new S3Platform(S3Fixture.PLATFORM_ACCOUNT, S3Fixture.PLATFORM_PRINCIPAL,
          StaticCredentialsProvider.create(AwsBasicCredentials.create(args[2], args[3])), AwsRegion.of("eu-west-1"), http);
      S3Settings settings = S3Settings.of(args[5], args[4], "eu-west-1", S3Fixture.customerRole(args[5]).toString(),
          "uploads", "", null, URI.create(args[1]).toString(), URI.create(args[0]).toString(), true);
      OrganizationId org = OrganizationId.of(args[5]);
      ObjectKey key = ObjectKey.of("fw/large.bin");
      try (var backend = new S3BackendProvider().create(settings,
          BackendContext.builder().service(S3Platform.class, platform).build())) {
        long start = System.nanoTime();
        StoredBinary stored = backend.put(org, key, new GeneratedContent(42, size));
        long put = System.nanoTime() - start;
        start = System.nanoTime();
        String read;
        try (BinaryContent content = backend.read(org, key)) {
          read = GeneratedContent.digest(content.stream()).hex();
        }
        long get = System.nanoTime() - start;
        System.out.printf("put %s %d read %s put-MB/s %.0f read-MB/s %.0f max-heap-MiB %d%n", stored.sha256().hex(),
            stored.size(), read, size / (put / 1e3), size / (get / 1e3), Runtime.getRuntime().maxMemory() >> 20);
      }
    }
  }
}
