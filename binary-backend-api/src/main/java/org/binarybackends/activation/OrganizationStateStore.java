package org.binarybackends.activation;

import java.util.List;
import java.util.Optional;
import org.binarybackends.OrganizationId;

/**
 * Where organizations' states live, shared by every service instance that serves them. Updates are
 * versioned compare-and-set: an update names the version it was computed from, and is refused if
 * another instance stored a newer one meanwhile, so that no instance ever overwrites another's
 * transition. Implementations are thread-safe.
 *
 * <p>The contract is tested by {@code OrganizationStateStoreContract} in the testkit; a database
 * implementation passes the same suite.
 */
public interface OrganizationStateStore extends AutoCloseable {

  /**
   * The stored state of {@code organization}, or empty if it was never stored.
   *
   * @throws CorruptStateException if the stored state cannot be read; it is left as it is
   */
  Optional<OrganizationState> get(OrganizationId organization);

  /**
   * Stores {@code next} if the stored version of its organization is still {@code expectedVersion}
   * (0: not stored yet), as version {@code expectedVersion + 1}, atomically and durably.
   *
   * @return {@code next} as stored, with its new version
   * @throws StateConflictException if the stored version is another; nothing was changed
   * @throws CorruptStateException if the stored state cannot be read; nothing was changed
   */
  OrganizationState compareAndSet(long expectedVersion, OrganizationState next);

  /** The organizations with a stored state. */
  List<OrganizationId> organizations();

  /** Releases the store's resources; idempotent. */
  @Override
  void close();
}
