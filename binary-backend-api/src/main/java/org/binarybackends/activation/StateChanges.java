package org.binarybackends.activation;

import org.binarybackends.OrganizationId;

/**
 * Changes of organizations' states made by any service instance sharing a store, as they are
 * stored: each instance re-reads what it caches of a changed organization at once, instead of at its
 * next check. A store shared by several hosts implements it (PostgreSQL: {@code LISTEN}/{@code
 * NOTIFY}, or polling); {@link org.binarybackends.BinaryBackends} subscribes its resolver when its
 * store does.
 */
public interface StateChanges {

  /**
   * Starts telling {@code listener} of stored changes, on a thread of the store's. It returns once
   * listening: a change stored after it returns is never missed (one stored while the store was
   * unreachable is covered by {@link Listener#resync}).
   *
   * @return closing it stops the subscription
   * @throws org.binarybackends.BackendUnavailableException if the store cannot be listened to
   */
  AutoCloseable subscribe(Listener listener);

  /** Told of changes; called on the store's thread, quickly (a re-read of a cached state, say). */
  interface Listener {
    /** The organization's state changed (its new version is stored). */
    void changed(OrganizationId organization);

    /** Changes may have been missed (the connection was lost and is back): re-read everything cached. */
    void resync();
  }
}
