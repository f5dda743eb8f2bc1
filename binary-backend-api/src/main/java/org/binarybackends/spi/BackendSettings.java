package org.binarybackends.spi;

import org.binarybackends.BackendInstanceId;

/**
 * The validated, immutable settings a {@link BinaryBackendProvider} builds a backend from.
 * Implementations are {@code public final}, built by a builder that validates at once, and keep
 * every secret in a {@link org.binarybackends.Secret} so that {@code toString()} shows none.
 */
public interface BackendSettings {

  /** The type of the provider that reads these settings. */
  String type();

  /**
   * The instance these settings address: the attributes that identify where the bytes are
   * (never a secret). Two settings with equal instance ids reach the same bytes.
   */
  BackendInstanceId instanceId();

  /**
   * Whether a backend of these settings, as the download part of a configuration, serves exactly the
   * bytes of its own {@link #instanceId()} (a CDN whose origin is the bucket): the activator then
   * refuses a configuration whose upload part is another instance. {@code false} by default.
   */
  default boolean servesOnlyItsInstance() {
    return false;
  }
}
