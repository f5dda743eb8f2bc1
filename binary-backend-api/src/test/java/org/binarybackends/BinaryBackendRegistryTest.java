package org.binarybackends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery through the real ServiceLoader, over services files written by each test. */
class BinaryBackendRegistryTest {
  @TempDir
  Path dir;

  /** A class loader whose only services file lists {@code entries}; the classes come from the tests. */
  private ClassLoader loaderListing(String... entries) throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(BinaryBackendProvider.class.getName()), String.join("\n", entries) + "\n",
        StandardCharsets.UTF_8);
    // parent null: only this directory's services file is seen; classes are delegated explicitly
    ClassLoader tests = getClass().getClassLoader();
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        return tests.loadClass(name);
      }
    };
  }

  @Test
  void findsProvidersByTypeSorted() throws IOException {
    BinaryBackendRegistry registry = BinaryBackendRegistry.load(loaderListing(
        ZetaProvider.class.getName(), AlphaProvider.class.getName()));
    assertThat(registry.types()).containsExactly("alpha", "zeta");
    assertThat(registry.provider("alpha")).isInstanceOf(AlphaProvider.class);
    assertThat(registry.skipped()).isEmpty();
    assertThatThrownBy(() -> registry.types().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBrokenEntryIsReportedByClassNameAndSkipped() throws IOException {
    BinaryBackendRegistry registry = BinaryBackendRegistry.load(loaderListing(
        "com.example.NoSuchProvider", ThrowingProvider.class.getName(), BadTypeProvider.class.getName(),
        AlphaProvider.class.getName()));
    assertThat(registry.types()).containsExactly("alpha");
    assertThat(registry.skipped()).hasSize(3);
    assertThat(registry.skipped().get(0)).contains("com.example.NoSuchProvider");
    assertThat(registry.skipped().get(1)).contains(ThrowingProvider.class.getName()).contains("broken on purpose");
    assertThat(registry.skipped().get(2)).contains(BadTypeProvider.class.getName()).contains("[a-z][a-z0-9-]*");
  }

  @Test
  void twoProvidersOfOneTypeFailNamingBothClasses() throws IOException {
    ClassLoader loader = loaderListing(AlphaProvider.class.getName(), OtherAlphaProvider.class.getName());
    assertThatThrownBy(() -> BinaryBackendRegistry.load(loader))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(AlphaProvider.class.getName())
        .hasMessageContaining(OtherAlphaProvider.class.getName())
        .hasMessageContaining("'alpha'");
  }

  @Test
  void anUnknownTypeFailsNamingTheKnownOnes() {
    BinaryBackendRegistry registry = BinaryBackendRegistry.of(new AlphaProvider(), new ZetaProvider());
    assertThatThrownBy(() -> registry.provider("s4"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
          assertThat(e.violations()).extracting(Violation::field).containsExactly("type");
          assertThat(e.getMessage()).contains("\"s4\"").contains("[alpha, zeta]");
        });
    assertThatThrownBy(() -> registry.create("{\"type\":\"nope\"}", BackendContext.defaults()))
        .hasMessageContaining("[alpha, zeta]");
    assertThatThrownBy(() -> registry.provider(null)).isInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void withNothingInstalledTheErrorSaysWhatToAdd() {
    BinaryBackendRegistry installed = BinaryBackendRegistry.installed();
    assertThat(installed).isSameAs(BinaryBackendRegistry.installed());
    assertThat(installed.types()).isEmpty(); // the API module ships no provider
    assertThatThrownBy(() -> installed.provider("default")).hasMessageContaining("binary-backend-default");
  }

  @Test
  void settingsJsonIsReadByTheProviderOfItsType() {
    BinaryBackendRegistry registry = BinaryBackendRegistry.of(new AlphaProvider());
    BackendSettings settings = registry.readSettings("{\"type\":\"alpha\",\"name\":\"one\"}");
    assertThat(settings.instanceId()).isEqualTo(BackendInstanceId.of("alpha", java.util.Map.of("name", "one")));
    assertThatThrownBy(() -> registry.readSettings("{\"name\":\"one\"}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("type"));
    assertThatThrownBy(() -> registry.readSettings("{\"type\":\"alpha\",\"name\":7,\"nmae\":\"x\"}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("name", "nmae"));
  }

  // ---- providers used above ----

  /** Settings with one field. */
  public record NameSettings(String type, String name) implements BackendSettings {
    @Override
    public BackendInstanceId instanceId() {
      return BackendInstanceId.of(type, java.util.Map.of("name", name));
    }
  }

  public static class AlphaProvider implements BinaryBackendProvider<NameSettings> {
    @Override
    public String type() {
      return "alpha";
    }

    @Override
    public Class<NameSettings> settingsType() {
      return NameSettings.class;
    }

    @Override
    public NameSettings readSettings(SettingsReader json) {
      json.skip("type");
      String name = json.requiredString("name", "a name");
      return json.finish(() -> new NameSettings(type(), name));
    }

    @Override
    public BinaryBackend create(NameSettings settings, BackendContext context) {
      throw new UnsupportedOperationException("discovery tests create no backend");
    }
  }

  public static final class ZetaProvider extends AlphaProvider {
    @Override
    public String type() {
      return "zeta";
    }
  }

  public static final class OtherAlphaProvider extends AlphaProvider {}

  public static final class BadTypeProvider extends AlphaProvider {
    @Override
    public String type() {
      return "Bad Type";
    }
  }

  public static final class ThrowingProvider extends AlphaProvider {
    public ThrowingProvider() {
      throw new IllegalStateException("broken on purpose");
    }
  }

  @Test
  void ofRefusesAnUnusableProvider() {
    assertThatThrownBy(() -> BinaryBackendRegistry.of(new BadTypeProvider()))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(BadTypeProvider.class.getName());
    assertThat(List.of(BinaryBackendRegistry.of().types().toArray())).isEmpty();
  }
}
