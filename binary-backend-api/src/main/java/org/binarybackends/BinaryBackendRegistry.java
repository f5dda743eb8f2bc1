package org.binarybackends;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend providers available, by type, and the way to create backends from settings.
 *
 * <p>{@link #installed()} finds providers once with {@link ServiceLoader}, on the class path and the
 * module path, into an unmodifiable map. A provider entry that cannot be loaded (a missing class,
 * a constructor that throws, an invalid type) is logged, reported by {@link #skipped()} with its
 * class name, and skipped: one broken jar does not take the others down. Two providers of one type
 * are a deployment error: loading fails naming both classes. Asking for an unknown type fails
 * naming the known ones.
 *
 * <p>Immutable and thread-safe.
 */
public final class BinaryBackendRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(BinaryBackendRegistry.class);

  private final Map<String, BinaryBackendProvider<?>> providers;
  private final List<String> skipped;

  private BinaryBackendRegistry(Map<String, BinaryBackendProvider<?>> providers, List<String> skipped) {
    this.providers = Collections.unmodifiableMap(providers);
    this.skipped = List.copyOf(skipped);
  }

  private static final class Installed {
    static final BinaryBackendRegistry INSTANCE = load(BinaryBackendRegistry.class.getClassLoader());
  }

  /**
   * The providers installed with this library, found once, on first use, with the class loader
   * that loaded it (and, on the module path, in the modules of its layer). Plugins that live in
   * another class loader, such as a plugin directory of an application server, are found with
   * {@link #load(ClassLoader)} instead.
   *
   * @throws InvalidConfigurationException if two providers claim one type
   */
  public static BinaryBackendRegistry installed() {
    return Installed.INSTANCE;
  }

  /**
   * The providers that {@link ServiceLoader} finds through {@code loader} (and, on the module path,
   * in the modules of its layer).
   *
   * @throws InvalidConfigurationException if two providers claim one type
   */
  @SuppressWarnings("rawtypes")
  public static BinaryBackendRegistry load(ClassLoader loader) {
    ServiceLoader<BinaryBackendProvider> loaded = ServiceLoader.load(BinaryBackendProvider.class, loader);
    List<BinaryBackendProvider<?>> found = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Iterator<BinaryBackendProvider> it = loaded.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // The JDK's message names the class ("Provider x.Y could not be instantiated"); the
        // iterator goes on with the next entry.
        String problem = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
        LOG.warn("Skipping a binary backend provider that cannot be loaded: {}", problem);
        skipped.add(problem);
      }
    }
    return build(found, skipped);
  }

  /**
   * A registry of exactly these providers, for tests and for services that wire providers by hand.
   *
   * @throws InvalidConfigurationException if two providers claim one type or a type is invalid
   */
  public static BinaryBackendRegistry of(BinaryBackendProvider<?>... providers) {
    List<String> skipped = new ArrayList<>();
    BinaryBackendRegistry registry = build(List.of(providers), skipped);
    if (!skipped.isEmpty()) {
      throw new InvalidConfigurationException(List.of(new Violation("providers", providers.length + " providers",
          "usable providers only; " + String.join("; ", skipped))));
    }
    return registry;
  }

  private static BinaryBackendRegistry build(List<BinaryBackendProvider<?>> found, List<String> skipped) {
    Map<String, BinaryBackendProvider<?>> byType = new TreeMap<>();
    for (BinaryBackendProvider<?> provider : found) {
      String name = provider.getClass().getName();
      String type;
      try {
        type = BackendInstanceId.checkType("type", provider.type());
        Objects.requireNonNull(provider.settingsType(), "settingsType()");
      } catch (RuntimeException e) {
        String problem = "Provider " + name + " is unusable: " + e.getMessage();
        LOG.warn("Skipping a binary backend provider: {}", problem);
        skipped.add(problem);
        continue;
      }
      BinaryBackendProvider<?> other = byType.putIfAbsent(type, provider);
      if (other != null) {
        throw new InvalidConfigurationException(List.of(new Violation("providers", type,
            "one provider per type; both " + other.getClass().getName() + " and " + name
                + " declare type '" + type + "': remove one of them from the class path or module path")));
      }
    }
    return new BinaryBackendRegistry(byType, skipped);
  }

  /** The types of the providers found, sorted. */
  public Set<String> types() {
    return providers.keySet();
  }

  /**
   * The problems of the provider entries that were skipped, each naming the class; empty when all
   * loaded.
   */
  public List<String> skipped() {
    return skipped;
  }

  /**
   * The provider of {@code type}.
   *
   * @throws InvalidConfigurationException naming the known types if there is none
   */
  public BinaryBackendProvider<?> provider(String type) {
    BinaryBackendProvider<?> provider = type == null ? null : providers.get(type);
    if (provider == null) {
      throw new InvalidConfigurationException(List.of(Violation.of("type", type,
          providers.isEmpty() ? "a type of an installed provider, and none is installed: add a backend module such as"
              + " binary-backend-default to the class path or module path"
              : "one of the installed types " + providers.keySet())));
    }
    return provider;
  }

  /**
   * Reads settings from a JSON object that names its type, e.g.
   * {@code {"type": "default", "root": "/var/lib/binaries", ...}}.
   *
   * @throws InvalidConfigurationException listing every violation, or naming the known types
   */
  public BackendSettings readSettings(String json) {
    SettingsReader reader = SettingsReader.parse(json);
    String type = reader.requiredString("type", "the backend type, one of " + providers.keySet());
    reader.throwIfInvalid();
    BinaryBackendProvider<?> provider = provider(type);
    return provider.readSettings(reader);
  }

  /**
   * Creates a backend from settings built in code or read by {@link #readSettings(String)}.
   *
   * @throws InvalidConfigurationException if no provider reads settings of that type
   */
  public BinaryBackend create(BackendSettings settings, BackendContext context) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(context, "context");
    return createTyped(provider(settings.type()), settings, context);
  }

  /** Reads the settings from JSON, then creates the backend. */
  public BinaryBackend create(String json, BackendContext context) {
    return create(readSettings(json), context);
  }

  private static <S extends BackendSettings> BinaryBackend createTyped(BinaryBackendProvider<S> provider,
      BackendSettings settings, BackendContext context) {
    if (!provider.settingsType().isInstance(settings)) {
      throw new InvalidConfigurationException(List.of(new Violation("settings", settings.getClass().getName(),
          "settings of class " + provider.settingsType().getName() + " for type '" + provider.type() + "'")));
    }
    return provider.create(provider.settingsType().cast(settings), context);
  }

  @Override
  public String toString() {
    return "BinaryBackendRegistry" + providers.keySet() + (skipped.isEmpty() ? "" : ", skipped " + skipped);
  }
}
