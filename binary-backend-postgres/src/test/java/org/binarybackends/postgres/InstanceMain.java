package org.binarybackends.postgres;

import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.PlatformBucketProvider;
import org.binarybackends.s3.PlatformBucketSettings;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.spi.BackendContext;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.SettingsJson;

/**
 * One service instance in a JVM of its own, for {@code SeparateJvmsTest}: PostgreSQL store, the
 * platform's bucket on the test's S3 server as the default storage (with a quota on every
 * organization), the shared directory storage as organizations' own, checks on a schedule; driven
 * line by line on stdin, one answer line per command on stdout. Arguments: JDBC URL, user, schema,
 * shared directory, instance name, lease millis, S3 endpoint, platform bucket.
 */
public final class InstanceMain {
  static final OrganizationId ORG = OrganizationId.of("org-a");
  /** The platform's long-lived storage keys, which the test's S3 server knows. */
  static final String ACCESS_KEY = "AKIAPLATFORMSTORAGE1";
  static final String SECRET_KEY = "platform-storage-secret-0123456789";
  static final String PLATFORM_ACCOUNT = "210987654321";
  static final String PLATFORM_USER = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":user/platform-storage";
  /** Every organization's quota on the platform's bucket: counted across the instances. */
  static final org.binarybackends.quota.StorageQuota QUOTA = org.binarybackends.quota.StorageQuota.bytes(1L << 30);

  /** The platform's bucket the instances share. */
  static PlatformBucketSettings platformBucket(String endpoint, String bucket) {
    return PlatformBucketSettings.of(bucket, "eu-west-1", "binaries/", null, null, endpoint, true);
  }

  private InstanceMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    Path base = Path.of(args[3]);
    ActivationPolicy policy = ActivationPolicy.builder().jitter(0).allowedTypes("shared-dir")
        .pendingFirstDelay(Duration.ofMillis(200)).pendingMaxDelay(Duration.ofMillis(400))
        .activeInterval(Duration.ofSeconds(1)).degradedInterval(Duration.ofMillis(500))
        .checkLease(Duration.ofMillis(Long.parseLong(args[5]))).build();
    // answers start with "> ": the logs share stdout
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    java.util.function.Consumer<String> answer = line -> stdout.println("> " + line);
    SharedDirectoryProvider provider = new SharedDirectoryProvider(base);
    PlatformBucketSettings platformBucket = platformBucket(args[6], args[7]);
    software.amazon.awssdk.http.SdkHttpClient http = software.amazon.awssdk.http.apache5.Apache5HttpClient.builder()
        .build();
    S3Platform platform = new S3Platform(PLATFORM_ACCOUNT, PLATFORM_USER,
        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)),
        AwsRegion.of("eu-west-1"), http);
    try (BinaryBackends binaries = BinaryBackends.builder()
        .stateStore(PostgresStateStore.builder().dataSource(new UrlDataSource(url, user))
            .keys(PostgresFixture.KEYS).schema(args[2]).schemaMode(SchemaMode.VALIDATE).build())
        .defaultStorage(platformBucket).registry(BinaryBackendRegistry.of(provider, new PlatformBucketProvider()))
        .context(BackendContext.builder().service(S3Platform.class, platform).build())
        .quotas(org.binarybackends.quota.StorageQuotas.every(QUOTA)).closeAfterwards(http)
        .policy(policy).checks(Duration.ofMillis(50), 4).instanceName(args[4]).build();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      answer.accept("ready " + ProcessHandle.current().pid());
      for (String line; (line = in.readLine()) != null; ) {
        String[] c = line.split(" ");
        try {
          switch (c[0]) {
            case "register":
              binaries.register(ORG, SettingsJson.of(SharedDirectoryProvider.settingsJson(c[1])), args[4]);
              answer.accept("ok");
              break;
            case "custom":
              answer.accept(Boolean.toString(binaries.forUpload(ORG).custom()));
              break;
            case "upload":
              StoredBinary b = binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of(c[1]),
                  new ByteArrayInputStream(c[1].getBytes(StandardCharsets.UTF_8)));
              answer.accept("stored " + (b.location().instance().equals(platformBucket.instanceId()) ? "platform"
                  : b.location().instance().attributes().get("name")));
              break;
            case "read":
              BinaryLocation at = new BinaryLocation(c[1].equals("platform") ? platformBucket.instanceId()
                  : new SharedDirectoryProvider.Settings(c[1]).instanceId(), ORG, ObjectKey.of(c[2]));
              try (BinaryContent content = binaries.forBinary(at).read(ORG, at.key())) {
                answer.accept(new String(content.stream().readAllBytes(), StandardCharsets.UTF_8));
              }
              break;
            case "usage":
              org.binarybackends.quota.QuotaUsage u = binaries.quotaUsage(ORG).orElseThrow();
              answer.accept(u.storedBinaries() + " " + u.storedBytes() + " " + u.reservedBytes());
              break;
            case "quit":
              answer.accept("bye");
              return;
            default:
              answer.accept("error unknown command " + c[0]);
          }
        } catch (RuntimeException e) {
          answer.accept("error " + e.getClass().getSimpleName() + ": " + e.getMessage().replace('\n', ' '));
        }
      }
    }
  }

  /** Connections by URL: enough for a test's process (a service passes its pool). */
  static final class UrlDataSource implements DataSource {
    private final String url;
    private final String user;

    UrlDataSource(String url, String user) {
      this.url = url;
      this.user = user;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url, user, "");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }

  static List<String> command(String url, String user, String schema, Path base, String name, long leaseMillis,
      String s3Endpoint, String bucket) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), InstanceMain.class.getName(), url, user, schema, base.toString(), name,
        Long.toString(leaseMillis), s3Endpoint, bucket);
  }
}
