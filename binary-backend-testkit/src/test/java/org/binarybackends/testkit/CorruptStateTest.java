package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.Activator;
import org.binarybackends.activation.BackendPool;
import org.binarybackends.activation.BackendResolver;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateKey;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state file damaged under a running service: the organization keeps being served from the state
 * already resolved, checks fail with a typed error, the file is kept, and nothing falls back to the
 * default storage silently (a restarted instance refuses rather than guesses).
 */
class CorruptStateTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");

  @TempDir
  Path dir;

  @Test
  void aDamagedStateFileIsReportedNeverGuessedAndTheResolvedStateKeepsServing() throws Exception {
    ControlledBackendProvider provider = new ControlledBackendProvider();
    BackendContext context = BackendContext.defaults();
    JsonFileStateStore store = JsonFileStateStore.open(dir, List.of(new StateKey("k", Secret.ofBytes(new byte[32]))));
    BinaryBackend platformDefault = provider.create(new ControlledBackendProvider.Settings("platform-default"), context);
    BackendPool pool = new BackendPool(BinaryBackendRegistry.of(provider), context, Duration.ofHours(1));
    BackendResolver resolver = new BackendResolver(store, platformDefault, pool);
    Activator activator = new Activator(store, pool, resolver, ActivationPolicy.builder().allowedTypes("controlled").build(), context.clock());
    activator.register(ORG, SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-1")), Optional.empty(), "a");
    activator.check(ORG);
    assertThat(resolver.forUpload(ORG).custom()).isTrue();

    Path file;
    try (var files = Files.list(dir)) {
      file = files.filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
    }
    byte[] damaged = java.util.Arrays.copyOf(Files.readAllBytes(file), 100);
    Files.write(file, damaged);

    assertThat(resolver.forUpload(ORG).custom()).as("still served from the resolved state").isTrue();
    assertThatThrownBy(() -> activator.check(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> activator.register(ORG, SettingsJson.of(ControlledBackendProvider.settingsJson("b2")),
        Optional.empty(), "a")).isInstanceOf(CorruptStateException.class);
    assertThat(resolver.forUpload(ORG).custom()).isTrue();
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);

    BackendResolver restarted = new BackendResolver(store, platformDefault, pool);
    assertThatThrownBy(() -> restarted.forUpload(ORG)).as("never a silent fallback to the default storage")
        .isInstanceOf(CorruptStateException.class);
  }
}
