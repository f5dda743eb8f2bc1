package org.binarybackends.s3;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.StateKey;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.spi.BackendContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * Run in a JVM of its own by {@link MigrationTest}: the platform service on the same state directory
 * and default storage, moving an organization's binaries to its bucket slowly (a rate limit), saying
 * each copy on standard output, until it is killed.
 *
 * <p>Arguments: state directory, default storage root, base access key, base secret, organization,
 * bytes per second.
 */
public final class MigrateMain {
  private MigrateMain() {}

  static final Secret STATE_KEY = Secret.ofBytes("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  static final Secret ROOT_ID = Secret.of("00112233445566778899aabbccddeeff");

  static DefaultStorageSettings defaultStorage(Path root) {
    return DefaultStorageSettings.builder().root(root).rootId(ROOT_ID)
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(SigningKey.of("k1", STATE_KEY)).build();
  }

  static BinaryBackends service(Path state, Path root, BackendContext context) {
    return BinaryBackends.builder().stateStore(JsonFileStateStore.open(state, List.of(new StateKey("k1", STATE_KEY))))
        .defaultStorage(defaultStorage(root)).context(context)
        .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()).scheduled(false).build();
  }

  public static void main(String[] args) throws Exception {
    try (SdkHttpClient http = Apache5HttpClient.builder().maxConnections(16).build()) {
      S3Platform platform = new S3Platform(S3Fixture.PLATFORM_ACCOUNT, S3Fixture.PLATFORM_PRINCIPAL,
          StaticCredentialsProvider.create(AwsBasicCredentials.create(args[2], args[3])), AwsRegion.of("eu-west-1"), http);
      BackendContext context = BackendContext.builder().service(S3Platform.class, platform)
          .service(S3Transfer.class, S3Transfer.defaults()).build();
      OrganizationId org = OrganizationId.of(args[4]);
      try (BinaryBackends binaries = service(Path.of(args[0]), Path.of(args[1]), context)) {
        BackendInstanceId to = binaries.forUpload(org).backend().instanceId();
        MigrationStatus s = binaries.migrations().run(org, binaries.defaultStorage().instanceId(), to,
            MigrationOptions.builder("child").concurrency(2).bytesPerSecond(Long.parseLong(args[5]))
                .leaseFor(java.time.Duration.ofSeconds(2)).build(), new MigrationListener() {
              @Override
              public void copied(ObjectKey key, StoredBinary copy) {
                System.out.println("copied " + key.value());
                System.out.flush();
              }
            });
        System.out.println("ended " + s);
      }
    }
  }
}
