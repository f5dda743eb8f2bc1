package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ServiceLoader finds the default storage by its type. Surefire runs this class twice:
 * on the class path (the default execution) and on the module path (execution {@code module-path},
 * which sets {@code binarybackends.expectModulePath}), where only {@code provides} in
 * {@code module-info.java} can make it visible.
 */
class DiscoveryTest {
  @TempDir
  Path root;

  @Test
  void theRegistryFindsTheDefaultStorageByItsType() {
    boolean modulePath = Boolean.getBoolean("binarybackends.expectModulePath");
    assertThat(DefaultStorageProvider.class.getModule().isNamed()).as("running on the module path").isEqualTo(modulePath);
    assertThat(BinaryBackendRegistry.class.getModule().isNamed()).isEqualTo(modulePath);

    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    assertThat(registry.types()).contains("default");
    assertThat(registry.provider("default")).isInstanceOf(DefaultStorageProvider.class);
    assertThat(registry.skipped()).isEmpty();

    String json = "{\"type\":\"default\",\"root\":\"" + root.toString().replace("\\", "\\\\") + "\",\"rootId\":\"" + TestSettings.ROOT_ID.revealUtf8() + "\","
        + "\"downloadBaseUri\":\"http://localhost/\",\"signingKeys\":[{\"id\":\"k\","
        + "\"secret\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"}]}";
    try (BinaryBackend backend = registry.create(json, BackendContext.defaults())) {
      backend.put(OrganizationId.of("org-a"), ObjectKey.of("k"), new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}));
      assertThat(backend.stat(OrganizationId.of("org-a"), ObjectKey.of("k")).size()).isEqualTo(3);
    }
  }
}
