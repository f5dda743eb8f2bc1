package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings and state files as an attacker or a damaged disk would hand them over: huge, full of
 * mistakes, with fields given twice, with stray files beside them. Each gets a short, clear error
 * (or is skipped with a warning) and changes nothing.
 */
class BoundedInputTest {
  private static final OrganizationId ORG = OrganizationId.of("org-bounded");
  private final BinaryBackendRegistry registry = BinaryBackendRegistry.of(new ControlledBackendProvider());
  @TempDir Path dir;

  private static String manyUnknownFields(int count) {
    StringBuilder b = new StringBuilder("{\"type\":\"controlled\",\"name\":\"x\"");
    for (int i = 0; i < count; i++) {
      b.append(",\"f").append(i).append("\":").append(i);
    }
    return b.append('}').toString();
  }

  @Test
  void aTenMegabyteDocumentIsRefusedBeforeItIsParsedWithAShortMessage() {
    String huge = manyUnknownFields(1_000_000);
    assertThat(huge.length()).isGreaterThan(10_000_000);
    assertThatThrownBy(() -> SettingsJson.of(huge)).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.getMessage()).hasSizeLessThan(300).contains("at most 262144 characters"));
    assertThatThrownBy(() -> registry.readSettings(huge)).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void thousandsOfViolationsAreListedUpToAFewDozenAndCounted() {
    String many = manyUnknownFields(10_000);
    assertThatThrownBy(() -> registry.readSettings(many)).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> {
          assertThat(e.violations()).hasSize(InvalidInputException.MAX_LISTED);
          assertThat(e.omitted()).isEqualTo(10_000 - InvalidInputException.MAX_LISTED);
          assertThat(e.getMessage()).endsWith("; and " + e.omitted() + " more").hasSizeLessThan(20_000);
        });
  }

  @Test
  void aLongValueIsQuotedCut() {
    String longValue = "n".repeat(100_000);
    assertThatThrownBy(() -> registry.readSettings("{\"type\":\"controlled\",\"name\":\"x\",\"" + "k".repeat(10_000)
        + "\":1,\"name2\":[\"" + longValue + "\"]}")).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.getMessage()).hasSizeLessThan(2_000).contains("10000 characters"));
    assertThatThrownBy(() -> registry.readSettings("{\"type\":\"controlled\",\"name\":\"x\",\"" + longValue + "\":1}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.getMessage()).hasSizeLessThan(300).contains("Name length (100000) exceeds"));
    assertThatThrownBy(() -> registry.readSettings("{\"type\":\"controlled\",\"name\":[" + "1,".repeat(50_000) + "1]}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.getMessage()).hasSizeLessThan(1_000).contains("an array"));
  }

  @Test
  void aFieldGivenTwiceIsRefusedNotSilentlyTheLastOne() {
    String twice = "{\"type\":\"s3\",\"name\":\"a\",\"type\":\"controlled\"}";
    assertThatThrownBy(() -> SettingsJson.of(twice)).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.getMessage()).contains("\"type\" is given twice"));
    assertThatThrownBy(() -> registry.readSettings("{\"type\":\"controlled\",\"name\":\"a\",\"name\":\"b\"}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.getMessage()).contains("\"name\" is given twice"));
  }

  @Test
  void theActivatorRefusesAHugeRegistrationWithoutChangingTheState() throws Exception {
    JsonFileStateStore store = JsonFileStateStore.open(dir, List.of(new StateKey("k", Secret.ofBytes(new byte[32]))));
    try (ControlledPlatform platform = ControlledPlatform.start(store, ActivationPolicy.builder()
        .allowedTypes("controlled").build(), java.time.Duration.ofHours(1))) {
      String big = manyUnknownFields(20_000);
      assertThatThrownBy(() -> platform.binaries().register(ORG, SettingsJson.of(big), "mallory"))
          .isInstanceOfSatisfying(InvalidConfigurationException.class,
              e -> assertThat(e.getMessage()).hasSizeLessThan(20_000));
      assertThat(store.get(ORG)).isEmpty();
    }
  }

  @Test
  void aStateFileWithAFieldGivenTwiceIsCorruptAndLeftAsItIs() throws Exception {
    JsonFileStateStore store = JsonFileStateStore.open(dir, List.of(new StateKey("k", Secret.ofBytes(new byte[32]))));
    store.compareAndSet(0, OrganizationState.initial(ORG).withFallbackAllowed(true));
    Path file = Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String doubled = text.replaceFirst("\\{", "{\"format\":\"x\",");
    Files.writeString(file, doubled, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> store.get(ORG)).isInstanceOfSatisfying(CorruptStateException.class,
        e -> assertThat(e.getMessage()).contains("given twice"));
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(doubled);
  }

  @Test
  void strayFilesInTheStateDirectoryAreSkippedNotFatal() throws Exception {
    JsonFileStateStore store = JsonFileStateStore.open(dir, List.of(new StateKey("k", Secret.ofBytes(new byte[32]))));
    store.compareAndSet(0, OrganizationState.initial(ORG));
    Path file = Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
    String name = file.getFileName().toString();
    Files.copy(file, dir.resolve(name.replace(".json", " (copy).json")));
    Files.writeString(dir.resolve("o%zz.json"), "{}");
    Files.writeString(dir.resolve("oBAD.json"), "{}"); // decodes, but the store would name that id's file o%42%41%44.json
    assertThat(store.organizations()).containsExactly(ORG);
  }
}
