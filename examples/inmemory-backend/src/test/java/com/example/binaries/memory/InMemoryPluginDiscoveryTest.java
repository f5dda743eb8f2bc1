package com.example.binaries.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.Test;

/** An outside plugin is found through the real ServiceLoader by its type, and reads its JSON settings. */
class InMemoryPluginDiscoveryTest {

  @Test
  void theRegistryFindsThePluginByItsType() {
    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    assertThat(registry.types()).contains("inmemory");
    assertThat(registry.provider("inmemory")).isInstanceOf(InMemoryBackendProvider.class);
    try (BinaryBackend backend = registry.create("{\"type\":\"inmemory\",\"name\":\"demo\",\"capacityBytes\":1024}",
        BackendContext.defaults())) {
      assertThat(backend.instanceId().toString()).isEqualTo("inmemory{name=demo}");
      assertThat(backend.verify().passed()).isTrue();
    }
  }

  @Test
  void badSettingsAreReportedAllAtOnce() {
    assertThatThrownBy(() -> BinaryBackendRegistry.installed().readSettings(
        "{\"type\":\"inmemory\",\"name\":\"no spaces\",\"capacityBytes\":0,\"colour\":\"blue\"}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(v -> v.field()).containsExactlyInAnyOrder("capacityBytes", "colour", "name"));
  }
}
