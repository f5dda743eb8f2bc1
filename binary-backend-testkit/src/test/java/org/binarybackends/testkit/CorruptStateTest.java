package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.binarybackends.BinaryBackends;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.StateKey;
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
    JsonFileStateStore store = JsonFileStateStore.open(dir, List.of(new StateKey("k", Secret.ofBytes(new byte[32]))));
    try (ControlledPlatform platform = ControlledPlatform.start(store, ActivationPolicy.builder()
        .allowedTypes("controlled").build(), Duration.ofHours(1))) {
      BinaryBackends binaries = platform.binaries();
      binaries.register(ORG, ControlledPlatform.settings("bucket-1"), "a");
      binaries.check(ORG);
      assertThat(binaries.forUpload(ORG).custom()).isTrue();

      Path file;
      try (var files = Files.list(dir)) {
        file = files.filter(p -> p.getFileName().toString().startsWith("o") && p.getFileName().toString()
            .endsWith(".json")).findFirst().orElseThrow();
      }
      byte[] damaged = java.util.Arrays.copyOf(Files.readAllBytes(file), 100);
      Files.write(file, damaged);

      assertThat(binaries.forUpload(ORG).custom()).as("still served from the resolved state").isTrue();
      assertThatThrownBy(() -> binaries.check(ORG)).isInstanceOf(CorruptStateException.class)
          .hasMessageContaining(file.toString());
      assertThatThrownBy(() -> binaries.register(ORG, ControlledPlatform.settings("b2"), "a"))
          .isInstanceOf(CorruptStateException.class);
      assertThatThrownBy(() -> binaries.status(ORG)).isInstanceOf(CorruptStateException.class);
      assertThat(binaries.forUpload(ORG).custom()).isTrue();
      assertThat(Files.readAllBytes(file)).isEqualTo(damaged);

      BinaryBackends restarted = platform.anotherInstance();
      assertThatThrownBy(() -> restarted.forUpload(ORG)).as("never a silent fallback to the default storage")
          .isInstanceOf(CorruptStateException.class);
    }
  }
}
