package org.binarybackends.benchmarks;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.RoleArn;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.s3.S3Transfer;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Moving an organization's binaries from the default storage to its bucket on the embedded S3
 * server (`migrations().run`) beside a plain copy with the SDK at the same concurrency: the same
 * bytes read from plain files and uploaded as the S3 benchmark does (multipart, SHA-256 per part).
 * Two cases: 1 GiB in binaries of 8 MiB, and one binary of 1 GiB. Alternating order, medians.
 *
 * <p>Arguments: work directory, total MiB (1024), binary MiB (8), concurrency (4), repetitions (5).
 */
public final class MigrationBenchmark {
  private static final String ACCOUNT = "210987654321";
  private static final String PRINCIPAL = "arn:aws:iam::" + ACCOUNT + ":role/platform-service";
  private static final OrganizationId ORG = OrganizationId.of("org-move-bench");
  private static final RoleArn ROLE = RoleArn.parse("arn:aws:iam::123456789012:role/move-bench");
  private static final S3Transfer TRANSFER = S3Transfer.defaults();

  private MigrationBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    long total = Long.parseLong(args[1]) << 20;
    long small = Long.parseLong(args[2]) << 20;
    int concurrency = Integer.parseInt(args[3]);
    int reps = Integer.parseInt(args[4]);
    Files.createDirectories(work);
    try (LocalSts sts = LocalSts.start(); EmbeddedS3 s3 = EmbeddedS3.start(work.resolve("s3"), sts);
        SdkHttpClient http = Apache5HttpClient.builder().maxConnections(64).build()) {
      PlatformRole platformRole = PlatformRole.of(ORG, "bench", ACCOUNT);
      sts.defineRole(platformRole.arn("aws"), PRINCIPAL, null, true);
      sts.defineRole(ROLE.toString(), platformRole.arn("aws"), ORG.value(), true);
      s3.createBucket("move-bench", ROLE.toString());
      LocalSts.Identity base = sts.addBaseIdentity(PRINCIPAL);
      StaticCredentialsProvider baseCredentials = StaticCredentialsProvider.create(
          AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey()));
      S3Platform platform = new S3Platform(ACCOUNT, PRINCIPAL, baseCredentials, AwsRegion.of("eu-west-1"), http);
      DefaultStorageSettings storage = DefaultStorageSettings.builder().root(work.resolve("default"))
          .rootId(DefaultStorageSettings.newRootId()).downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
          .addSigningKey(SigningKey.of("k1", Secret.ofBytes("0123456789abcdef0123456789abcdef"
              .getBytes(StandardCharsets.UTF_8)))).build();
      StsClient platformSts = StsClient.builder().region(Region.EU_WEST_1).endpointOverride(sts.endpoint())
          .httpClient(http).credentialsProvider(baseCredentials).build();
      StsAssumeRoleCredentialsProvider platformHop = StsAssumeRoleCredentialsProvider.builder().stsClient(platformSts)
          .refreshRequest(r -> r.roleArn(platformRole.arn("aws")).roleSessionName("bench-platform")).build();
      StsClient customerSts = StsClient.builder().region(Region.EU_WEST_1).endpointOverride(sts.endpoint())
          .httpClient(http).credentialsProvider(platformHop).build();
      StsAssumeRoleCredentialsProvider chain = StsAssumeRoleCredentialsProvider.builder().stsClient(customerSts)
          .refreshRequest(r -> r.roleArn(ROLE.toString()).roleSessionName("bench").externalId(ORG.value())).build();
      try (BinaryBackends binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
          .defaultStorage(storage).context(BackendContext.builder().service(S3Platform.class, platform)
              .service(S3Transfer.class, TRANSFER).build())
          .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()).scheduled(false).build();
          S3Client raw = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint())
              .forcePathStyle(true).httpClient(http).credentialsProvider(chain).build()) {
        binaries.register(ORG, SettingsJson.of("{\"type\":\"s3\",\"organization\":\"" + ORG.value() + "\",\"bucket\":"
            + "\"move-bench\",\"region\":\"eu-west-1\",\"roleArn\":\"" + ROLE + "\",\"roleName\":\"bench\",\"prefix\":"
            + "\"\",\"s3Endpoint\":\"" + s3.directEndpoint() + "\",\"stsEndpoint\":\"" + sts.endpoint()
            + "\",\"pathStyleAccess\":true}"), Optional.empty(), "bench");
        OrganizationStatus status = binaries.check(ORG);
        if (status.uploadsGoTo() != OrganizationStatus.UploadsGoTo.OWN_STORAGE) {
          throw new IllegalStateException("the bucket did not verify: " + status.toJson());
        }
        BackendInstanceId from = binaries.defaultStorage().instanceId();
        BackendInstanceId to = status.active().orElseThrow().storage();
        System.out.printf("moving from the default storage to an organization's bucket (s3, role chain) beside"
            + " S3Client copying plain files through the SDK's own role chain; %d copies at once, parts %d MiB x %d"
            + " in flight each; heap -Xmx%d MiB%n", concurrency, TRANSFER.partSize() >> 20, TRANSFER.partsInFlight(),
            Runtime.getRuntime().maxMemory() >> 20);
        for (long size : new long[] {small, total}) {
          int count = (int) (total / size);
          String label = count + " binaries of " + (size >> 20) + " MiB";
          Path plain = Files.createDirectories(work.resolve("plain-" + (size >> 20)));
          for (int i = 0; i < count; i++) {
            String k = String.format("case-%d/%04d.bin", size >> 20, i);
            binaries.defaultStorage().put(ORG, ObjectKey.of(k), new GeneratedContent(i, size),
                PutOptions.builder().contentLength(size).build());
            try (InputStream in = new GeneratedContent(i, size)) {
              Files.copy(in, plain.resolve(String.format("%04d.bin", i)));
            }
          }
          double[][] mbps = new double[2][reps];
          double[][] cpu = new double[2][reps];
          long[] peakHeap = new long[2];
          for (int r = 0; r < reps; r++) {
            int rep = r;
            Runnable move = () -> {
              emptyBucket(raw);
              mbps[0][rep] = timed(total, cpu[0], rep, peakHeap, 0, () -> {
                MigrationStatus s = binaries.migrations().run(ORG, from, to, MigrationOptions.builder("bench")
                    .concurrency(concurrency).build(), MigrationListener.none());
                if (s.state() != MigrationStatus.State.COMPLETED || s.copiedBytes() < total) {
                  throw new IllegalStateException("the move did not complete: " + s);
                }
              });
            };
            Runnable copy = () -> {
              emptyBucket(raw);
              mbps[1][rep] = timed(total, cpu[1], rep, peakHeap, 1, () -> plainCopy(raw, plain, count, size,
                  concurrency));
            };
            Runnable[] pair = {move, copy};
            pair[r % 2].run();
            pair[1 - r % 2].run();
            System.out.printf("%s, rep %d: move %.0f MB/s, plain SDK copy %.0f MB/s%n", label, r + 1, mbps[0][r],
                mbps[1][r]);
          }
          System.out.printf("%s (%d MiB), median of %d: move %.0f MB/s, plain SDK copy %.0f MB/s, ratio %.2f;"
              + " CPU seconds move %.1f, copy %.1f; heap pools' peaks summed move %d MiB, copy %d MiB%n", label, total >> 20,
              reps, median(mbps[0]), median(mbps[1]), median(mbps[0]) / median(mbps[1]), median(cpu[0]),
              median(cpu[1]), peakHeap[0] >> 20, peakHeap[1] >> 20);
          try (var files = Files.walk(plain)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
          for (int i = 0; i < count; i++) {
            binaries.defaultStorage().delete(ORG, ObjectKey.of(String.format("case-%d/%04d.bin", size >> 20, i)));
          }
        }
      }
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The SDK alone, {@code concurrency} files at once, each as the S3 benchmark uploads one ({@link S3Benchmark#rawMultipartPut}). */
  private static void plainCopy(S3Client s3, Path dir, int count, long size, int concurrency) throws Exception {
    ExecutorService files = Executors.newFixedThreadPool(concurrency);
    ExecutorService parts = Executors.newFixedThreadPool(concurrency * TRANSFER.partsInFlight());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = String.format("%04d.bin", i);
        done.add(files.submit(() -> {
          try (InputStream in = Files.newInputStream(dir.resolve(name))) {
            S3Benchmark.rawMultipartPut(s3, parts, "move-bench", "plain/" + name, in, size);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      files.shutdown();
      parts.shutdown();
    }
  }

  private static void emptyBucket(S3Client s3) {
    s3.listObjectsV2Paginator(b -> b.bucket("move-bench")).contents()
        .forEach(o -> s3.deleteObject(b -> b.bucket("move-bench").key(o.key())));
  }

  private interface Transfer {
    void run() throws Exception;
  }

  /**
   * MB/s of one transfer of {@code size} bytes after a sync; its CPU seconds, and the sum of the heap
   * pools' peaks during it (each pool at its own peak: garbage included, and above -Xmx when eden,
   * survivor and old peak at different times; -Xmx is the bound that says the memory is constant).
   */
  private static double timed(long size, double[] cpuSeconds, int rep, long[] peak, int which, Transfer transfer) {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      System.gc();
      List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long c0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      transfer.run();
      long elapsed = System.nanoTime() - t0;
      cpuSeconds[rep] = (os.getProcessCpuTime() - c0) / 1e9;
      peak[which] = Math.max(peak[which], heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum());
      return size / (elapsed / 1e3);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
