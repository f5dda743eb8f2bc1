package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binaries, the directories holding them and the root's marker (whose id opens the root) are the
 * service user's alone, whatever the umask.
 */
class PermissionsTest {
  @TempDir Path dir;

  @Test
  void everyFileAndDirectoryTheStorageCreatesIsOwnerOnly() throws Exception {
    Path root = dir.resolve("root");
    try (BinaryBackend backend = new DefaultStorageProvider().create(TestSettings.withServer(root).build(),
        BackendContext.defaults())) {
      backend.put(OrganizationId.of("org-a"), ObjectKey.of("fw/deep/er/image.bin"), new GeneratedContent(1, 1000));
      backend.put(OrganizationId.of("org-b"), ObjectKey.of("x"), new GeneratedContent(2, 10));
    }
    List<Path> created;
    try (Stream<Path> all = Files.walk(root)) {
      created = all.collect(Collectors.toList());
    }
    assertThat(created).hasSizeGreaterThan(6).contains(root.resolve("binary-backends-storage.properties"));
    for (Path p : created) {
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
      assertThat(mode).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
    }
  }

  @Test
  void aRootLeftReadableByOthersIsMadeOwnerOnlyWhenOpened() throws Exception {
    Path root = dir.resolve("old-root");
    new DefaultStorageProvider().create(TestSettings.withServer(root).build(), BackendContext.defaults()).close();
    // as an older version (or an operator) left it: 0755 directories, a 0644 marker
    for (String d : new String[] {"", "objects", "staging"}) {
      Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path marker = root.resolve("binary-backends-storage.properties");
    Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rw-r--r--"));
    new DefaultStorageProvider().create(TestSettings.withServer(root).build(), BackendContext.defaults()).close();
    for (String d : new String[] {"", "objects", "staging"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(d)))).as(d)
          .isEqualTo("rwx------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(marker))).isEqualTo("rw-------");
  }
}
