package org.binarybackends.migration;

import org.binarybackends.ObjectKey;
import org.binarybackends.StoredBinary;

/**
 * Told of each binary as a run goes (from the run's threads: several at once), and of its totals at
 * every checkpoint: for a progress display, and for a service that rewrites its stored locations
 * ({@link #copied} gives each binary's new one). Every method does nothing unless overridden; one that
 * throws is logged and the run goes on.
 */
public interface MigrationListener {
  /** Copied and verified: {@code copy} is its new location. */
  default void copied(ObjectKey key, StoredBinary copy) {}

  /** Not copied: at the target already with the same SHA-256, or deleted at the source meanwhile. */
  default void skipped(ObjectKey key, String why) {}

  /** At the target with another content: left as it is, and the move is not recorded. */
  default void conflict(ObjectKey key, String why) {}

  /** Its copy failed every attempt: the run stops after the copies in flight. */
  default void failed(ObjectKey key, String why) {}

  /** The totals so far, at every checkpoint and at the end. */
  default void progress(MigrationStatus status) {}

  /** One that does nothing. */
  static MigrationListener none() {
    return new MigrationListener() {};
  }
}
