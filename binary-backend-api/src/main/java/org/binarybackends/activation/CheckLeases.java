package org.binarybackends.activation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.binarybackends.OrganizationId;

/**
 * When each organization is checked next, and by which service instance: at most one at a time,
 * across every instance sharing the store. A store shared by several hosts implements it with its
 * state (the PostgreSQL store: a lease and a fencing number in the organization's row, times from
 * the database's clock); for a store that does not, {@link #local} keeps them in the process,
 * which is right for one instance.
 *
 * <p>A check claims a lease ({@link #claimDue}, or {@link #claim} on demand), verifies outside any
 * transaction, and {@linkplain #complete completes}: its outcome, the next check and the end of the
 * lease are stored together, and only while the lease still holds. A paused instance whose lease
 * lapsed may still have probed (a duplicate probe is tolerated); what it found is refused ({@link
 * LeaseLostException}), so no transition is ever stored twice or lost. Implementations are
 * thread-safe; the contract is {@code CheckLeasesContract} in the testkit.
 */
public interface CheckLeases {

  /**
   * Makes the organization's next check due now (a configuration was just registered), even if a
   * lease is held: that check's completion then keeps it due.
   */
  void checkSoon(OrganizationId organization);

  /**
   * No next check for the organization until one is asked for again ({@link #checkSoon}): it has no
   * configuration left to check.
   */
  void unschedule(OrganizationId organization);

  /**
   * Claims up to {@code max} organizations whose check is due and not held by a live lease, oldest due
   * first, for {@code leaseFor}.
   */
  List<CheckLease> claimDue(String holder, int max, Duration leaseFor);

  /**
   * Claims the organization's check now, due or not (an on-demand check), unless another live
   * lease holds it.
   */
  Optional<CheckLease> claim(OrganizationId organization, String holder, Duration leaseFor);

  /**
   * Ends {@code lease}: stores {@code next} (if given) as version {@code expectedVersion + 1}, and
   * schedules the next check after {@code nextCheckIn} (none if empty) with {@code attempts}, in one
   * step, only while the lease still holds. A check asked for ({@link #checkSoon}) during the lease
   * stays due.
   *
   * <p>With no {@code next}, {@code expectedVersion} is not compared: the lease just ends.
   *
   * @return {@code next} as stored, if given
   * @throws LeaseLostException if the lease no longer holds; nothing was stored
   * @throws StateConflictException if the stored version is another; nothing was stored, and the
   *     lease still holds (compute again on the stored state)
   */
  Optional<OrganizationState> complete(CheckLease lease, long expectedVersion, Optional<OrganizationState> next,
      Optional<Duration> nextCheckIn, int attempts);

  /** When the organization is checked next, if it is scheduled. */
  Optional<Instant> nextCheck(OrganizationId organization);

  /**
   * Leases kept in this process, for a store on one host (in memory, files): one instance, one
   * check per organization at a time; times from {@code clock}. Every organization {@code store}
   * holds with a configuration is scheduled {@code firstCheckIn} from now.
   */
  static CheckLeases local(OrganizationStateStore store, Clock clock, Duration firstCheckIn) {
    return new org.binarybackends.activation.internal.LocalCheckLeases(store, clock, firstCheckIn);
  }
}
