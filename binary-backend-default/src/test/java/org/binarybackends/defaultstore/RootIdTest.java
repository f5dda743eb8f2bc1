package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root opens only under the id it was created with, which only its owner's configuration names:
 * settings that know its path (an organization's, copied from anywhere) but not its id are refused,
 * and leave it as it was; a root never lies inside another.
 */
class RootIdTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final ObjectKey KEY = ObjectKey.of("fw/image.bin");
  private static final String MARKER = "binary-backends-storage.properties";
  @TempDir Path dir;

  private static BinaryBackend open(Path root, Secret id) {
    return new DefaultStorageProvider().create(TestSettings.withServer(root).rootId(id).build(), BackendContext.defaults());
  }

  @Test
  void aNewRootCarriesItsIdAndReopensOnlyUnderIt() throws Exception {
    Path root = dir.resolve("platform");
    Secret id = DefaultStorageSettings.newRootId();
    try (BinaryBackend backend = open(root, id)) {
      backend.put(ORG, KEY, new GeneratedContent(3, 5000));
    }
    assertThat(Files.readString(root.resolve(MARKER))).contains("layout=1", "id=" + id.revealUtf8());
    Secret other = DefaultStorageSettings.newRootId();
    String realRoot = root.toRealPath().toString();
    assertThatThrownBy(() -> open(root, other)).isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
      assertThat(e.violations()).extracting(Violation::field).containsExactly("rootId");
      assertThat(e.getMessage()).contains(realRoot, MARKER)
          .doesNotContain(id.revealUtf8()).doesNotContain(other.revealUtf8());
    });
    assertThat(Files.readString(root.resolve(MARKER))).contains("id=" + id.revealUtf8());
    try (BinaryBackend reopened = open(root, id); BinaryContent content = reopened.read(ORG, KEY)) {
      assertThat(GeneratedContent.digest(content.stream())).isEqualTo(GeneratedContent.sha256(3, 5000));
    }
  }

  @Test
  void twoNewIdsDiffer() {
    assertThat(DefaultStorageSettings.newRootId()).isNotEqualTo(DefaultStorageSettings.newRootId());
    assertThat(DefaultStorageSettings.newRootId().revealUtf8()).matches("[0-9a-f]{32}");
  }

  @Test
  void aRootInsideAnotherIsRefusedAndNothingIsCreatedThere() throws Exception {
    Path root = dir.resolve("platform");
    Secret id = DefaultStorageSettings.newRootId();
    open(root, id).close();
    Path[] inside = {root.resolve("objects").resolve("o" + "new-org"), root.resolve("staging"), root.resolve("a/b/c")};
    for (Path nested : inside) {
      boolean existed = Files.exists(nested);
      assertThatThrownBy(() -> open(nested, DefaultStorageSettings.newRootId()))
          .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
            assertThat(e.violations()).extracting(Violation::field).containsExactly("root");
            assertThat(e.getMessage()).contains("inside the root");
          });
      assertThat(Files.exists(nested)).as(nested.toString()).isEqualTo(existed);
      assertThat(Files.exists(nested.resolve(MARKER))).isFalse();
    }
    // through a symbolic link too
    Path link = Files.createSymbolicLink(dir.resolve("link"), root.resolve("objects"));
    assertThatThrownBy(() -> open(link.resolve("o-x"), DefaultStorageSettings.newRootId()))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThat(root.resolve("objects").resolve("o-x")).doesNotExist();
  }

  @Test
  void aRootMadeBeforeRootsCarriedAnIdIsRefusedUntilItsOwnerNamesOne() throws Exception {
    Path root = Files.createDirectories(dir.resolve("old"));
    Files.writeString(root.resolve(MARKER), "# binary-backends default storage\nlayout=1\n", StandardCharsets.UTF_8);
    Secret id = DefaultStorageSettings.newRootId();
    assertThatThrownBy(() -> open(root, id)).isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
      assertThat(e.violations()).extracting(Violation::field).containsExactly("rootId");
      assertThat(e.getMessage()).contains("add the line id=").doesNotContain(id.revealUtf8());
    });
    assertThat(Files.readString(root.resolve(MARKER))).doesNotContain("id=");
    Files.writeString(root.resolve(MARKER), "id=" + id.revealUtf8() + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    open(root, id).close();
  }

  @Test
  void aMarkerOfAnotherLayoutIsRefused() throws Exception {
    Path root = Files.createDirectories(dir.resolve("future"));
    Files.writeString(root.resolve(MARKER), "layout=2\nid=" + TestSettings.ROOT_ID.revealUtf8() + "\n");
    assertThatThrownBy(() -> open(root, TestSettings.ROOT_ID)).isInstanceOfSatisfying(
        InvalidConfigurationException.class, e -> assertThat(e.getMessage()).contains("layout 1"));
  }
}
