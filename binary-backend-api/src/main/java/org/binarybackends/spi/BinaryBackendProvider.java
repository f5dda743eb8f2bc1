package org.binarybackends.spi;

import org.binarybackends.BinaryBackend;

/**
 * Makes backends of one type. Found by {@link java.util.ServiceLoader}: register an implementation
 * both in {@code META-INF/services/org.binarybackends.spi.BinaryBackendProvider} and with
 * {@code provides org.binarybackends.spi.BinaryBackendProvider with ...} in {@code module-info.java}.
 *
 * <p>A provider is stateless, public, has a public no-argument constructor and is thread-safe; the
 * backends it creates hold the state and the resources.
 *
 * @param <S> the settings it reads
 */
public interface BinaryBackendProvider<S extends BackendSettings> {

  /**
   * The stable, lower-case type that names this provider in configuration, e.g. {@code default},
   * {@code s3}: {@code [a-z][a-z0-9-]*}, at most 32 characters. Never changes between versions.
   */
  String type();

  /** The class of the settings this provider reads. */
  Class<S> settingsType();

  /**
   * Reads settings from JSON. Record every problem in {@code json} (a missing field, a wrong type, a
   * bad value) rather than stopping at the first; the caller gets them all at once.
   *
   * @throws org.binarybackends.InvalidConfigurationException listing every violation
   */
  S readSettings(SettingsReader json);

  /**
   * Creates a backend from validated settings. The backend owns what it opens and releases it on
   * {@link BinaryBackend#close()}.
   */
  BinaryBackend create(S settings, BackendContext context);
}
