package org.binarybackends.migration;

import java.time.Duration;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;

/**
 * Moves an organization's binaries from one storage instance to another while it keeps serving: from
 * the default storage to its own bucket, from a retired configuration to the active one, back to the
 * default storage when it leaves. From {@code BinaryBackends.migrations()}.
 *
 * <ul>
 *   <li>{@link #plan}: what would move, what is there already, what conflicts: a dry run.
 *   <li>{@link #run}: copies binary by binary, streamed, each verified by the target's own streaming
 *       SHA-256 against the source's digest (no read-back); resumable from a shared checkpoint; one
 *       run per organization and source at a time, across instances. Once every binary is copied and
 *       verified, it records "{@code from} moved to {@code to}": {@code BinaryBackends.forBinary} of a
 *       location in {@code from} then reads from {@code to}, so stored locations need no rewrite.
 *   <li>{@link #deleteSource}: once the move completed and every URL the source signed has expired,
 *       deletes the originals that are at the target with the same SHA-256.
 * </ul>
 */
public interface Migrations {
  /**
   * How long after a move completes its originals may still be downloaded through URLs the source
   * signed before: S3's longest presigned URL, 7 days. {@link #deleteSource} waits for it.
   */
  Duration SIGNED_URLS_OUTLIVE = Duration.ofDays(7);

  /**
   * What moving {@code organization}'s binaries from {@code from} to {@code to} would do now. Reads
   * both storages (a listing and a stat of each binary on each side); changes nothing.
   *
   * @throws org.binarybackends.InvalidInputException if either instance is not one of the
   *     organization's (the default storage, or a configuration active, staged or retired), if they
   *     are the same, or if the organization's uploads still go to {@code from}
   */
  MigrationPlan plan(OrganizationId organization, BackendInstanceId from, BackendInstanceId to);

  /**
   * Runs (or resumes) the move, on the calling thread and {@code options.concurrency()} copies at
   * once, until every binary is handled or it stops. A run is refused while uploads of the
   * organization still go to {@code from}: switch them first. The checkpoint is kept in the shared
   * notes, so a run stopped or killed resumes where it was, here or on another instance, once its
   * lease lapses. One run per organization at a time, whatever its source. Interrupting the calling
   * thread stops it, cutting the copies in flight short (nothing half-written is visible).
   *
   * @return where it stands at the end: {@link MigrationStatus.State#COMPLETED} once every binary is
   *     at the target, verified
   * @throws org.binarybackends.InvalidInputException as {@link #plan} does, if uploads still go to
   *     {@code from}, or if an unfinished move of {@code from} goes to another target
   * @throws org.binarybackends.BackendUnavailableException if another run moves the organization's
   *     binaries now
   */
  MigrationStatus run(OrganizationId organization, BackendInstanceId from, BackendInstanceId to,
      MigrationOptions options, MigrationListener listener);

  /** Where the move of {@code organization}'s binaries out of {@code from} stands, if one was started. */
  Optional<MigrationStatus> status(OrganizationId organization, BackendInstanceId from);

  /** Where {@code from}'s binaries were moved to, once a move of them completed. */
  Optional<BackendInstanceId> movedTo(OrganizationId organization, BackendInstanceId from);

  /**
   * Deletes from {@code from} the originals of a completed move: only binaries at the target with
   * the same SHA-256 (one uploaded to the source afterwards, or changed there, stays), and only once
   * {@link #SIGNED_URLS_OUTLIVE} has passed since the move completed. With {@code dryRun}, lists
   * what would go and deletes nothing.
   *
   * @return how many it deleted (or would)
   * @throws org.binarybackends.InvalidInputException if the move has not completed, or completed
   *     less than {@link #SIGNED_URLS_OUTLIVE} ago (the message says when it may), or for a blank actor
   */
  long deleteSource(OrganizationId organization, BackendInstanceId from, boolean dryRun, String actor,
      MigrationListener listener);
}
