package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.OrganizationRemoval;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offboarding an organization from the filesystem default storage: a dry run, then the removal, another organization untouched. */
class OffboardingTest {
  private static final OrganizationId LEAVING = OrganizationId.of("leaving");
  private static final OrganizationId STAYING = OrganizationId.of("leaving-not");

  @TempDir
  Path dir;

  private static void put(BinaryBackend b, OrganizationId org, String key, String content) {
    b.put(org, ObjectKey.of(key), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aDryRunListsWhatTheRemovalThenRemoves() {
    try (BinaryBackend storage = new DefaultStorageProvider().create(TestSettings.withServer(dir).build(),
        BackendContext.defaults());
        BinaryBackends b = BinaryBackends.builder().stateStore(new InMemoryStateStore()).defaultStorage(storage)
            .scheduled(false).quotas(o -> Optional.empty()).build()) {
      put(storage, LEAVING, "fw/a/1.bin", "one");
      put(storage, LEAVING, "fw/b/2.bin", "two");
      put(storage, LEAVING, "top.bin", "three");
      put(storage, STAYING, "fw/a/1.bin", "stays");

      List<String> wouldGo = new ArrayList<>();
      OrganizationRemoval plan = b.offboard(LEAVING, true, "support", x -> wouldGo.add(x.key().value()));
      assertThat(wouldGo).containsExactly("fw/a/1.bin", "fw/b/2.bin", "top.bin");
      assertThat(plan).extracting(OrganizationRemoval::binaries, OrganizationRemoval::bytes).containsExactly(3L, 11L);
      assertThat(storage.list(LEAVING, "").count()).isEqualTo(3);

      List<String> gone = new ArrayList<>();
      OrganizationRemoval removal = b.offboard(LEAVING, false, "support", x -> gone.add(x.key().value()));
      assertThat(gone).isEqualTo(wouldGo);
      assertThat(removal).extracting(OrganizationRemoval::dryRun, OrganizationRemoval::binaries,
          OrganizationRemoval::bytes).containsExactly(false, 3L, 11L);
      assertThat(storage.list(LEAVING, "").count()).isZero();
      assertThat(storage.list(STAYING, "").map(ListedBinary::key).map(ObjectKey::value)).containsExactly("fw/a/1.bin");
      assertThat(b.status(LEAVING).history()).hasSize(1);
      assertThat(removal.toString()).contains("removed 3 binaries (11 bytes)").contains("leaving");
    }
  }
}
