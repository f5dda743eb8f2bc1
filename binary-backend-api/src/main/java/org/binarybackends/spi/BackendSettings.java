package org.binarybackends.spi;

import java.util.Optional;
import java.util.Set;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;

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
   * Whether a backend of these settings, as the download configuration of a configuration, serves exactly the
   * bytes of its own {@link #instanceId()} (a CDN whose origin is the bucket): the activator then
   * refuses a configuration whose upload configuration is another instance. {@code false} by default.
   */
  default boolean servesOnlyItsInstance() {
    return false;
  }

  /**
   * For settings that {@link #servesOnlyItsInstance()}: whether they front exactly the storage
   * {@code upload} configures, not only its instance but the same access to it (for a CDN whose
   * origin is a bucket: the same role, KMS key and prefix), so that downloads and uploads never use
   * two versions of the bucket's settings. The seam between a download backend and the storage
   * behind it; the activator refuses a configuration where this is false. By default, equal
   * instance ids.
   */
  default boolean fronts(BackendSettings upload) {
    return instanceId().equals(upload.instanceId());
  }

  /**
   * The organization these settings say they serve, when they name one (an S3 bucket's settings
   * do: it is the {@code ExternalId} of the role chain). The activator refuses settings registered
   * for another organization than the one they name. Empty by default.
   */
  default Optional<OrganizationId> servedOrganization() {
    return Optional.empty();
  }

  /**
   * The names of the fields set in these settings that send requests to a host the settings name
   * instead of the service's own endpoints (an S3-compatible store, a test server). Through such a
   * field an organization could have the platform send its credentials and probes to a host of the
   * organization's choosing, so the activator refuses them unless the platform's policy allows
   * them. Empty by default.
   */
  default Set<String> endpointOverrides() {
    return Set.of();
  }
}
