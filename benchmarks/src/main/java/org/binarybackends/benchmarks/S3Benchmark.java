package org.binarybackends.benchmarks;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformBucketProvider;
import org.binarybackends.s3.PlatformBucketSettings;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.RoleArn;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import org.binarybackends.s3.S3BackendProvider;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.s3.S3Transfer;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Upload and download of one binary through the S3 backend, and the same transfer made directly with
 * the SDK's {@code S3Client} (multipart, the same part size, the same parts in flight, SHA-256
 * checksums on every part, the same session credentials), alternating, against the embedded S3
 * server (S3Proxy, filesystem store, without its front door).
 *
 * <p>Usage: {@code S3Benchmark <work dir> <MiB> <repetitions>}.
 */
public final class S3Benchmark {
  private static final String ACCOUNT = "210987654321";
  private static final String PRINCIPAL = "arn:aws:iam::" + ACCOUNT + ":role/platform-service";
  private static final OrganizationId ORG = OrganizationId.of("org-bench");
  private static final RoleArn ROLE = RoleArn.parse("arn:aws:iam::123456789012:role/bench");
  private static final S3Transfer TRANSFER = S3Transfer.defaults();

  private S3Benchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    long size = Long.parseLong(args[1]) << 20;
    int reps = Integer.parseInt(args[2]);
    // "platform": the platform's own bucket (type platform-s3, long-lived keys) instead of an organization's
    boolean platformBucket = args.length > 3 && args[3].equals("platform");
    Files.createDirectories(work);
    try (LocalSts sts = LocalSts.start(); EmbeddedS3 s3 = EmbeddedS3.start(work.resolve("s3"), sts);
        SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build()) {
      PlatformRole platformRole = PlatformRole.of(ORG, "bench", ACCOUNT);
      sts.defineRole(platformRole.arn("aws"), PRINCIPAL, null, true);
      sts.defineRole(ROLE.toString(), platformRole.arn("aws"), ORG.value(), true);
      s3.createBucket("bench-bucket", ROLE.toString());
      LocalSts.Identity base = sts.addBaseIdentity(PRINCIPAL);
      StaticCredentialsProvider baseCredentials = StaticCredentialsProvider.create(
          AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey()));
      S3Platform platform = new S3Platform(ACCOUNT, PRINCIPAL, baseCredentials, AwsRegion.of("eu-west-1"), http);
      S3Settings settings = S3Settings.of(ORG.value(), "bench-bucket", "eu-west-1", ROLE.toString(), "bench", "", null,
          s3.directEndpoint().toString(), sts.endpoint().toString(), true);
      StaticCredentialsProvider storageKeys = StaticCredentialsProvider.create(AwsBasicCredentials.create(
          "AKIABENCHPLATFORM001", "bench-platform-storage-secret-0123"));
      s3.addStaticIdentity("AKIABENCHPLATFORM001", "bench-platform-storage-secret-0123", PRINCIPAL);
      s3.createBucket("bench-platform", PRINCIPAL, ACCOUNT);
      String bucket = platformBucket ? "bench-platform" : "bench-bucket";
      String rawPrefix = platformBucket ? ORG.value() + "/" : "";
      try (BinaryBackend backend = platformBucket
              ? new PlatformBucketProvider().create(PlatformBucketSettings.of("bench-platform", "eu-west-1", "", null,
                  null, s3.directEndpoint().toString(), true), BackendContext.builder().service(S3Platform.class,
                  new S3Platform(ACCOUNT, PRINCIPAL, storageKeys, AwsRegion.of("eu-west-1"), http))
                  .service(S3Transfer.class, TRANSFER).build())
              : new S3BackendProvider().create(settings, BackendContext.builder()
              .service(S3Platform.class, platform).service(S3Transfer.class, TRANSFER).build());
          // the SDK's own role chain for the SDK's own client: the baseline owes nothing to the library
          StsClient platformSts = StsClient.builder().region(Region.EU_WEST_1).endpointOverride(sts.endpoint())
              .httpClient(http).credentialsProvider(baseCredentials).build();
          StsAssumeRoleCredentialsProvider platformHop = StsAssumeRoleCredentialsProvider.builder().stsClient(platformSts)
              .refreshRequest(r -> r.roleArn(platformRole.arn("aws")).roleSessionName("bench-platform")).build();
          StsClient customerSts = StsClient.builder().region(Region.EU_WEST_1).endpointOverride(sts.endpoint())
              .httpClient(http).credentialsProvider(platformHop).build();
          StsAssumeRoleCredentialsProvider chain = StsAssumeRoleCredentialsProvider.builder().stsClient(customerSts)
              .refreshRequest(r -> r.roleArn(ROLE.toString()).roleSessionName("bench").externalId(ORG.value())).build();
          S3Client raw = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint())
              .forcePathStyle(true).httpClient(http).credentialsProvider(platformBucket ? storageKeys : chain).build()) {
        System.out.println(platformBucket ? "the platform's bucket (platform-s3, long-lived keys) beside S3Client"
            + " with the same keys" : "an organization's bucket (s3, through the role chain) beside S3Client through"
            + " the SDK's own role chain");
        ExecutorService pool = Executors.newFixedThreadPool(TRANSFER.partsInFlight());
        double[][] mbps = new double[4][reps];
        double[][] cpu = new double[4][reps];
        ObjectKey key = ObjectKey.of("bench/backend.bin");
        // warm-up, not counted: the JIT compiles both paths before anything is measured
        for (int w = 0; w < 2; w++) {
          backend.put(ORG, key, new GeneratedContent(99, 64 << 20));
          rawMultipartPut(raw, pool, bucket, rawPrefix + "bench/raw.bin", new GeneratedContent(99, 64 << 20), 64 << 20);
          try (BinaryContent content = backend.read(ORG, key)) {
            drain(content.stream());
          }
          try (InputStream in = raw.getObject(b -> b.bucket(bucket).key(rawPrefix + "bench/raw.bin"))) {
            drain(in);
          }
        }
        for (int r = 0; r < reps; r++) {
          long seed = r;
          // each measured transfer starts with no write-back pending from the one before it, and the
          // order alternates, so that neither side always follows the other's writes
          Runnable[] puts = {
            () -> mbps[0][(int) seed] = timed(size, cpu[0], (int) seed, () -> backend.put(ORG, key, new GeneratedContent(seed, size),
                PutOptions.builder().contentLength(size).build())),
            () -> mbps[1][(int) seed] = timed(size, cpu[1], (int) seed, () -> rawMultipartPut(raw, pool, bucket, rawPrefix + "bench/raw.bin",
                new GeneratedContent(seed, size), size))};
          Runnable[] gets = {
            () -> mbps[2][(int) seed] = timed(size, cpu[2], (int) seed, () -> {
              try (BinaryContent content = backend.read(ORG, key)) {
                drain(content.stream());
              }
            }),
            () -> mbps[3][(int) seed] = timed(size, cpu[3], (int) seed, () -> {
              try (InputStream in = raw.getObject(b -> b.bucket(bucket).key(rawPrefix + "bench/raw.bin"))) {
                drain(in);
              }
            })};
          for (Runnable[] pair : List.of(puts, gets)) {
            pair[r % 2].run();
            pair[1 - r % 2].run();
          }
          System.out.printf("rep %d: put backend %.0f raw %.0f MB/s; get backend %.0f raw %.0f MB/s%n", r + 1,
              mbps[0][r], mbps[1][r], mbps[2][r], mbps[3][r]);
        }
        pool.shutdown();
        System.out.printf("median of %d, %d MiB, parts %d MiB x %d in flight:%n", reps, size >> 20,
            TRANSFER.partSize() >> 20, TRANSFER.partsInFlight());
        System.out.printf("  upload:   backend %.0f MB/s, raw SDK %.0f MB/s, ratio %.2f%n", median(mbps[0]),
            median(mbps[1]), median(mbps[0]) / median(mbps[1]));
        System.out.printf("  download: backend %.0f MB/s, raw SDK %.0f MB/s, ratio %.2f%n", median(mbps[2]),
            median(mbps[3]), median(mbps[2]) / median(mbps[3]));
        System.out.printf("  CPU seconds of this process (S3 server included): upload backend %.1f, raw %.1f;"
            + " download backend %.1f, raw %.1f%n", median(cpu[0]), median(cpu[1]), median(cpu[2]), median(cpu[3]));
      }
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * The SDK alone: parts read one after another, uploaded in parallel, each with its SHA-256 checksum
   * (the baseline of the migration benchmark too).
   */
  static void rawMultipartPut(S3Client s3, ExecutorService pool, String bucket, String key, InputStream in,
      long size)
      throws Exception {
    String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
        .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
    Semaphore inFlight = new Semaphore(TRANSFER.partsInFlight());
    List<Future<CompletedPart>> parts = new ArrayList<>();
    int partSize = (int) TRANSFER.partSize();
    for (int n = 1; (long) (n - 1) * partSize < size; n++) {
      inFlight.acquire();
      byte[] buf = new byte[partSize];
      int len = in.readNBytes(buf, 0, partSize);
      int number = n;
      parts.add(pool.submit(() -> {
        try {
          var r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(number)
              .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromContentProvider(
                  () -> new java.io.ByteArrayInputStream(buf, 0, len), len, "application/octet-stream"));
          return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(r.checksumSHA256()).build();
        } finally {
          inFlight.release();
        }
      }));
    }
    List<CompletedPart> done = new ArrayList<>();
    for (Future<CompletedPart> f : parts) {
      done.add(f.get());
    }
    s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(done)));
  }

  private interface Transfer {
    void run() throws Exception;
  }

  /** MB/s of one transfer of {@code size} bytes, measured after the disk has written back what came before. */
  private static double timed(long size, double[] cpuSeconds, int rep, Transfer transfer) {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean();
      long c0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      transfer.run();
      long elapsed = System.nanoTime() - t0;
      cpuSeconds[rep] = (os.getProcessCpuTime() - c0) / 1e9;
      return size / (elapsed / 1e3);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void drain(InputStream in) throws Exception {
    byte[] buf = new byte[1 << 16];
    while (in.read(buf) >= 0) {
      // the bytes only
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
