package org.binarybackends.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.testkit.ControlledPlatform;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;

/**
 * Moving an organization's binaries with two service instances on one PostgreSQL schema, each with
 * a store of its own (as two hosts have): one run per organization across them (the lease is a note
 * in the database), its progress seen from the other instance, and the move followed by the other
 * instance's reads once it is recorded.
 */
class PostgresMigrationTest {
  private static final OrganizationId ORG = OrganizationId.of("org-move");
  private static final ActivationPolicy POLICY = ActivationPolicy.builder().jitter(0).allowedTypes("controlled")
      .build();

  /** Two service instances, each with a store of its own on one fresh schema; closed with the platform. */
  private record Instances(ControlledPlatform platform, BinaryBackends first, BinaryBackends second)
      implements AutoCloseable {
    static Instances start() {
      String schema = PostgresFixture.freshSchema();
      ControlledPlatform platform = ControlledPlatform.start(PostgresFixture.onSchema(schema).build(), POLICY,
          ControlledPlatform.DEFAULT_CLOSE_GRACE);
      return new Instances(platform, platform.binaries(),
          platform.anotherInstance(PostgresFixture.onSchema(schema).build()));
    }

    @Override
    public void close() {
      platform.close();
    }
  }

  /** Whether {@code instance} sees, within 20 s, a live run moving the binaries of {@code from}. */
  private static boolean runningSeen(BinaryBackends instance, BackendInstanceId from) {
    return PostgresFixture.eventually(Duration.ofSeconds(20), () -> instance.migrations().status(ORG, from)
        .filter(s -> s.state() == MigrationStatus.State.RUNNING).isPresent());
  }

  @Test
  void aCopyLongerThanTheLeaseKeepsTheMoveItsOwnAcrossInstances() throws Exception {
    try (Instances instances = Instances.start()) {
      BinaryBackends first = instances.first();
      BinaryBackends second = instances.second();
      // one binary whose copy, held to 64 KiB/s, takes about four seconds: four leases of one second
      StoredBinary one = first.forUpload(ORG).backend().put(ORG, ObjectKey.of("fw/one.bin"),
          new GeneratedContent(1, 256 << 10));
      first.register(ORG, ControlledPlatform.settings("bucket-1"), "alice");
      first.check(ORG);
      BackendInstanceId from = first.defaultStorage().instanceId();
      BackendInstanceId to = first.status(ORG).active().orElseThrow().storage();
      MigrationStatus[] result = new MigrationStatus[1];
      Thread run = new Thread(() -> result[0] = first.migrations().run(ORG, from, to, MigrationOptions.builder("alice")
          .concurrency(1).bytesPerSecond(64 << 10).leaseFor(Duration.ofSeconds(1)).build(), MigrationListener.none()),
          "first-instance-run");
      run.start();
      assertThat(runningSeen(second, from)).isTrue();
      // the clock moves past the lease, half a lease at a time; the run, still copying, renews it each time
      for (int step = 0; step < 4; step++) {
        instances.platform().clock().advance(Duration.ofMillis(500));
        assertThat(runningSeen(second, from))
            .as("held after %d half-leases", step + 1).isTrue();
        assertThatThrownBy(() -> second.migrations().run(ORG, from, to, MigrationOptions.builder("bob").build(),
            MigrationListener.none())).isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("another run moves");
      }
      run.join();
      assertThat(result[0].state()).as(result[0].toString()).isEqualTo(MigrationStatus.State.COMPLETED);
      assertThat(result[0].copied()).isEqualTo(1);
      try (BinaryContent c = second.forBinary(one.location()).read(ORG, one.key())) {
        assertThat(c.binary().location().instance()).isEqualTo(to);
      }
    }
  }

  @Test
  void oneRunPerOrganizationAcrossInstancesAndTheMoveIsFollowedByEveryInstance() throws Exception {
    try (Instances instances = Instances.start()) {
      BinaryBackends first = instances.first();
      BinaryBackends second = instances.second();
      List<StoredBinary> stored = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        stored.add(first.forUpload(ORG).backend().put(ORG, ObjectKey.of("fw/" + i + ".bin"),
            new GeneratedContent(i, 64 << 10)));
      }
      first.register(ORG, ControlledPlatform.settings("bucket-1"), "alice");
      first.check(ORG);
      assertThat(first.forUpload(ORG).custom()).isTrue();
      BackendInstanceId from = first.defaultStorage().instanceId();
      BackendInstanceId to = first.status(ORG).active().orElseThrow().storage();

      // a run on the first instance, held to 64 KiB/s (about six seconds)
      MigrationStatus[] result = new MigrationStatus[1];
      Thread run = new Thread(() -> result[0] = first.migrations().run(ORG, from, to, MigrationOptions.builder("alice")
          .concurrency(1).bytesPerSecond(64 << 10).build(), MigrationListener.none()), "first-instance-run");
      run.start();
      assertThat(runningSeen(second, from))
          .as("the run seen from the other instance").isTrue();
      assertThatThrownBy(() -> second.migrations().run(ORG, from, to, MigrationOptions.builder("bob").build(),
          MigrationListener.none())).as("one run per organization, across instances")
          .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("another run moves");
      assertThat(second.forBinary(stored.get(0).location()).instanceId()).as("read where they are until the move")
          .isEqualTo(from);
      run.join();
      assertThat(result[0].state()).as(result[0].toString()).isEqualTo(MigrationStatus.State.COMPLETED);
      assertThat(result[0].copied()).isEqualTo(6);

      assertThat(second.migrations().status(ORG, from).map(MigrationStatus::state))
          .hasValue(MigrationStatus.State.COMPLETED);
      // the other instance asked before the move was recorded; it hears of the change from the database (its
      // own answers are kept 30 s otherwise: reads would go to the source meanwhile, which holds every binary)
      assertThat(PostgresFixture.eventually(Duration.ofSeconds(20), () -> second.migrations().movedTo(ORG, from)
          .equals(Optional.of(to)))).as("the move seen by the other instance, by notification").isTrue();
      for (StoredBinary b : stored) {
        assertThat(second.forBinary(b.location()).instanceId()).isEqualTo(to);
        try (BinaryContent c = second.forBinary(b.location()).read(ORG, b.key())) {
          assertThat(GeneratedContent.digest(c.stream())).isEqualTo(b.sha256());
        }
      }
    }
  }
}
