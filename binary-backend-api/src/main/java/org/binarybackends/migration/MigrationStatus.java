package org.binarybackends.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;

/**
 * Where a migration of one organization's binaries out of {@code from} stands, as its shared
 * checkpoint holds it (every instance sees the same).
 *
 * @param cursor the last key of the source such that it and every key before it are done (copied,
 *     skipped or in conflict): a resumed run lists the source after it
 * @param copied binaries copied and verified by the runs so far
 * @param skipped binaries not copied: at the target already, or deleted at the source meanwhile
 * @param conflicts binaries at the target with another content, left as they are
 * @param failures binaries whose copy failed every attempt in the last run
 * @param reason what the last run said: why it stopped, failed or completed
 * @param completedAt when every binary had been copied and verified and the move was recorded
 */
public record MigrationStatus(OrganizationId organization, BackendInstanceId from, BackendInstanceId to, State state,
    Optional<ObjectKey> cursor, long copied, long copiedBytes, long skipped, long conflicts, long failures,
    String reason, Instant startedAt, Instant updatedAt, Optional<Instant> completedAt) {
  /** The states of a migration. */
  public enum State {
    /** A run holds it now (here or on another instance). */
    RUNNING,
    /** A run stopped before the end (asked to, killed, or lost its lease): run it again to resume. */
    STOPPED,
    /** A run stopped on binaries whose copy failed every attempt: see the reason, then run it again. */
    FAILED,
    /** Every binary was handled, but some are at the target with another content: resolve them, run again. */
    CONFLICTS,
    /** Every binary copied and verified; the move is recorded: reads of {@code from} go to {@code to}. */
    COMPLETED,
    /** Completed, and the originals the runs copied were deleted from the source. */
    SOURCE_DELETED
  }

  public MigrationStatus {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(completedAt, "completedAt");
  }

  @Override
  public String toString() {
    return organization + ": " + from + " -> " + to + " " + state + ": " + copied + " copied (" + copiedBytes
        + " bytes), " + skipped + " skipped, " + conflicts + " conflicts, " + failures + " failed" + cursor.map(
            c -> ", done up to " + c.value()).orElse("") + "; " + reason;
  }
}
