package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.LocalSts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration killed mid-way ({@code kill -9} of the JVM running it, {@link MigrateMain}) and
 * resumed by another instance of the service on the same state: every binary reaches the target,
 * and none that the killed run copied is copied again.
 */
class MigrationKillTest {
  private static final int BINARIES = 12;
  private static final int SIZE = 256 << 10;

  @TempDir
  Path dir;

  @Test
  void aRunKilledInAnotherJvmResumesHereAndNoBinaryIsCopiedTwice() throws Exception {
    try (S3Fixture fixture = new S3Fixture()) {
      OrganizationId org = OrganizationId.of("org-kill");
      S3Settings bucket = fixture.onboard(org.value(), true, "");
      LocalSts.Identity base = fixture.sts.addBaseIdentity(S3Fixture.PLATFORM_PRINCIPAL);
      Path state = dir.resolve("state");
      Path root = dir.resolve("binaries");
      try (BinaryBackends binaries = MigrateMain.service(state, root, fixture.context(java.time.Clock.systemUTC(),
          S3Transfer.defaults()))) {
        List<StoredBinary> stored = new ArrayList<>();
        for (int i = 0; i < BINARIES; i++) {
          stored.add(binaries.forUpload(org).backend().put(org, ObjectKey.of(String.format("fw/%02d.bin", i)),
              new GeneratedContent(i, SIZE)));
        }
        binaries.register(org, SettingsJson.of(fixture.settingsJson(bucket)), java.util.Optional.empty(), "admin");
        assertThat(binaries.check(org).uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);

        // another instance of the service starts the move, slowly, and is killed after its third copy
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), MigrateMain.class.getName(), state.toString(), root.toString(),
            base.accessKeyId(), base.secretAccessKey(), org.value(), Integer.toString(SIZE)).redirectErrorStream(true)
            .start();
        List<String> childCopied = new CopyOnWriteArrayList<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = out.readLine()) != null; ) {
            output.append(line).append('\n');
            if (line.startsWith("copied ")) {
              childCopied.add(line.substring("copied ".length()));
              if (childCopied.size() == 3) {
                child.destroyForcibly(); // SIGKILL: no finally block, no lease released
                break;
              }
            }
          }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(childCopied).as(output.toString()).hasSize(3);
        assertThat(output.toString()).doesNotContain("ended ");

        // its lease lapses (2 s): the move shows as stopped, with its checkpoint
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        MigrationStatus stopped = binaries.migrations().status(org, binaries.defaultStorage().instanceId()).orElseThrow();
        while (stopped.state() == MigrationStatus.State.RUNNING && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
          stopped = binaries.migrations().status(org, binaries.defaultStorage().instanceId()).orElseThrow();
        }
        assertThat(stopped.state()).isEqualTo(MigrationStatus.State.STOPPED);
        assertThat(binaries.migrations().movedTo(org, binaries.defaultStorage().instanceId())).isEmpty();

        // this instance resumes it
        Set<String> copiedHere = ConcurrentHashMap.newKeySet();
        MigrationStatus done = binaries.migrations().run(org, binaries.defaultStorage().instanceId(),
            bucket.instanceId(), MigrationOptions.builder("ops").concurrency(3).build(), new MigrationListener() {
              @Override
              public void copied(ObjectKey key, StoredBinary copy) {
                assertThat(copiedHere.add(key.value())).isTrue();
              }
            });
        assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
        assertThat(copiedHere).as("none the killed run copied").doesNotContainAnyElementsOf(childCopied);
        assertThat(copiedHere.size()).isBetween(BINARIES - 3 - 2, BINARIES - 3); // at most 2 were in flight at the kill
        BinaryBackend own = binaries.forUpload(org).backend();
        for (StoredBinary b : stored) {
          assertThat(own.stat(org, b.key()).sha256()).isEqualTo(b.sha256());
          assertThat(binaries.forBinary(b.location()).instanceId()).isEqualTo(bucket.instanceId());
        }
      }
    }
  }
}
