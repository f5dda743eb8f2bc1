package org.binarybackends.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.binarybackends.BinaryBackends;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.testkit.ControlledPlatform;
import org.junit.jupiter.api.Test;

/**
 * Service instances in one JVM, each with a store of its own on one PostgreSQL schema, as hosts
 * behind a load balancer have: one check per organization across them, and a switch seen by every
 * instance without its own check. (The same in separate JVMs, with kills: {@code SeparateJvmsTest}.)
 */
class PostgresInstancesTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final ActivationPolicy POLICY = ActivationPolicy.builder().jitter(0).allowedTypes("controlled")
      .build();

  private static PostgresStateStore.Builder onSchema(String schema) {
    return PostgresFixture.onSchema(schema);
  }

  private static boolean eventually(BooleanSupplier condition) {
    return PostgresFixture.eventually(Duration.ofSeconds(20), condition);
  }

  @Test
  void aSwitchReachesAnotherInstanceByNotificationWithoutItsOwnCheck() {
    String schema = PostgresFixture.freshSchema();
    try (ControlledPlatform platform = ControlledPlatform.start(onSchema(schema).build(), POLICY,
        ControlledPlatform.DEFAULT_CLOSE_GRACE)) {
      BinaryBackends other = platform.anotherInstance(onSchema(schema).build());
      assertThat(other.forUpload(ORG).custom()).isFalse(); // cached: the default storage
      platform.binaries().register(ORG, ControlledPlatform.settings("bucket-1"), "alice");
      platform.binaries().check(ORG);
      assertThat(platform.binaries().forUpload(ORG).custom()).isTrue();
      assertThat(eventually(() -> other.forUpload(ORG).custom())).as("seen by the other instance").isTrue();
    }
  }

  @Test
  void withNotificationsOffTheSwitchArrivesByPolling() {
    String schema = PostgresFixture.freshSchema();
    try (ControlledPlatform platform = ControlledPlatform.start(onSchema(schema).build(), POLICY,
        ControlledPlatform.DEFAULT_CLOSE_GRACE)) {
      BinaryBackends polling = platform.anotherInstance(onSchema(schema).notifications(false)
          .pollInterval(Duration.ofMillis(100)).build());
      assertThat(polling.forUpload(ORG).custom()).isFalse();
      platform.binaries().register(ORG, ControlledPlatform.settings("bucket-1"), "alice");
      platform.binaries().check(ORG);
      assertThat(eventually(() -> polling.forUpload(ORG).custom())).isTrue();
    }
  }

  @Test
  void aChangeMadeWhileTheListeningConnectionWasLostIsReadOnceItIsBack() {
    String schema = PostgresFixture.freshSchema();
    try (ControlledPlatform platform = ControlledPlatform.start(onSchema(schema).build(), POLICY,
        ControlledPlatform.DEFAULT_CLOSE_GRACE)) {
      BinaryBackends other = platform.anotherInstance(onSchema(schema).build());
      assertThat(other.forUpload(ORG).custom()).isFalse();
      // the database drops every listening connection (a failover, a restart): the notifications
      // sent meanwhile are gone, and the feed re-reads what it caches when it is back
      PostgresFixture.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
          + " AND pid <> pg_backend_pid()");
      platform.binaries().register(ORG, ControlledPlatform.settings("bucket-1"), "alice");
      platform.binaries().check(ORG);
      assertThat(eventually(() -> other.forUpload(ORG).custom())).isTrue();
    }
  }

  @Test
  void scheduledChecksOfThreeInstancesCheckEachOrganizationOnceAtATime() throws Exception {
    String schema = PostgresFixture.freshSchema();
    ActivationPolicy often = ActivationPolicy.builder().jitter(0).allowedTypes("controlled")
        .activeInterval(Duration.ofMillis(300)).checkLease(Duration.ofSeconds(30)).build();
    try (ControlledPlatform platform = ControlledPlatform.start(onSchema(schema).build(), often,
        ControlledPlatform.DEFAULT_CLOSE_GRACE)) {
      List<OrganizationId> orgs = List.of(ORG, OrganizationId.of("org-b"), OrganizationId.of("org-c"));
      for (OrganizationId org : orgs) {
        platform.binaries().register(org, ControlledPlatform.settings("bucket-" + org.value()), "alice");
      }
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      platform.provider().control("bucket-org-a").holdVerificationUntil(release);
      List<BinaryBackends> running = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          running.add(BinaryBackends.builder().stateStore(onSchema(schema).build())
              .defaultStorage(platform.binaries().defaultStorage()).registry(
                  org.binarybackends.BinaryBackendRegistry.of(platform.provider()))
              .policy(often).checks(Duration.ofMillis(20), 4).instanceName("instance-" + i).build());
        }
        // org-a's verification hangs on one instance: no other instance checks org-a meanwhile
        assertThat(eventually(() -> platform.provider().control("bucket-org-b").verifications() >= 5)).isTrue();
        assertThat(platform.provider().control("bucket-org-a").verifications()).isEqualTo(1);
      } finally {
        release.countDown();
        running.forEach(BinaryBackends::close);
      }
      assertThat(platform.binaries().status(ORG).active()).as("its check, once released, was stored").isPresent();
    }
  }
}
