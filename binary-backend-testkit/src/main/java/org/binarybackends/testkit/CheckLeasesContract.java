package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.CheckLease;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.LeaseLostException;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.Transition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CheckLeases} must do: one holder at a time per organization, a lapsed lease
 * storing nothing, a conflict leaving the lease held, a check asked for during a lease kept due.
 * A store's test class extends it.
 */
public abstract class CheckLeasesContract {
  protected static final OrganizationId ORG = OrganizationId.of("org-a");
  /** The lease the tests take: short, so that a lapse can be waited for on a real clock. */
  protected static final Duration LEASE = Duration.ofSeconds(1);

  protected OrganizationStateStore store;
  protected CheckLeases leases;

  /** For a store's test class, which extends it. */
  protected CheckLeasesContract() {}

  /** A new, empty store. */
  protected abstract OrganizationStateStore createStore() throws Exception;

  /** The leases over {@code store} (the store itself, or {@link CheckLeases#local} over it). */
  protected abstract CheckLeases leasesOf(OrganizationStateStore store);

  /** Lets at least {@code d} pass on the leases' clock (a manual clock moved; the database's waited for). */
  protected abstract void passTime(Duration d) throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = createStore();
    leases = leasesOf(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private OrganizationState stored(int transitions) {
    OrganizationState s = store.get(ORG).orElse(OrganizationState.initial(ORG));
    OrganizationState next = s;
    for (int i = 0; i < transitions; i++) {
      next = next.with(new Transition(Instant.parse("2026-12-01T12:00:00Z").plusSeconds(s.history().size() + i),
          "test", "change " + (s.history().size() + i), "because"));
    }
    return store.compareAndSet(s.version(), next);
  }

  private OrganizationState registered() {
    OrganizationState s = stored(1);
    leases.checkSoon(ORG);
    return s;
  }

  @Test
  void aDueCheckIsClaimedByOneHolderOnly() {
    registered();
    List<CheckLease> first = leases.claimDue("instance-1", 10, LEASE);
    assertThat(first).extracting(CheckLease::organization).containsExactly(ORG);
    assertThat(leases.claimDue("instance-2", 10, LEASE)).isEmpty();
    assertThat(leases.claim(ORG, "instance-2", LEASE)).as("not on demand either").isEmpty();
    assertThat(leases.claimDue("instance-1", 0, LEASE)).isEmpty();
  }

  @Test
  void completingStoresTheOutcomeAndTheNextCheckAndEndsTheLease() {
    OrganizationState s = registered();
    CheckLease lease = leases.claimDue("instance-1", 10, LEASE).get(0);
    OrganizationState next = s.withFallbackAllowed(true);
    Optional<OrganizationState> stored = leases.complete(lease, s.version(), Optional.of(next),
        Optional.of(Duration.ofHours(1)), 2);
    assertThat(stored).hasValue(next.withVersion(s.version() + 1));
    assertThat(store.get(ORG)).hasValue(next.withVersion(s.version() + 1));
    assertThat(leases.nextCheck(ORG)).isPresent();
    assertThat(leases.claimDue("instance-2", 10, LEASE)).as("due in an hour").isEmpty();
    CheckLease onDemand = leases.claim(ORG, "instance-2", LEASE).orElseThrow();
    assertThat(onDemand.attempts()).isEqualTo(2);
    assertThat(onDemand.fencing()).isGreaterThan(lease.fencing());
  }

  @Test
  void whatALapsedLeaseFoundIsRefusedAndAnotherHolderTakesOver() throws Exception {
    OrganizationState s = registered();
    CheckLease paused = leases.claimDue("instance-1", 10, LEASE).get(0);
    passTime(LEASE.plusMillis(200));
    CheckLease takeover = leases.claimDue("instance-2", 10, LEASE).get(0);
    assertThat(takeover.fencing()).isGreaterThan(paused.fencing());
    assertThatThrownBy(() -> leases.complete(paused, s.version(), Optional.of(s.withFallbackAllowed(true)),
        Optional.of(Duration.ofHours(1)), 0)).isInstanceOf(LeaseLostException.class);
    assertThat(store.get(ORG)).hasValue(s);
    assertThat(leases.complete(takeover, s.version(), Optional.of(s.withFallbackAllowed(true)),
        Optional.of(Duration.ofHours(1)), 0)).isPresent();
    assertThatThrownBy(() -> leases.complete(takeover, s.version() + 1, Optional.empty(), Optional.empty(), 0))
        .as("a lease ends once").isInstanceOf(LeaseLostException.class);
  }

  @Test
  void aConflictStoresNothingAndLeavesTheLeaseHeld() {
    OrganizationState s = registered();
    CheckLease lease = leases.claimDue("instance-1", 10, LEASE).get(0);
    OrganizationState changed = stored(1); // a command of another instance, meanwhile
    assertThatThrownBy(() -> leases.complete(lease, s.version(), Optional.of(s.withFallbackAllowed(true)),
        Optional.of(Duration.ofHours(1)), 0)).isInstanceOf(StateConflictException.class);
    assertThat(store.get(ORG)).hasValue(changed);
    assertThat(leases.claim(ORG, "instance-2", LEASE)).as("still held").isEmpty();
    assertThat(leases.complete(lease, changed.version(), Optional.of(changed.withFallbackAllowed(true)),
        Optional.of(Duration.ofHours(1)), 0)).hasValue(changed.withFallbackAllowed(true).withVersion(changed.version() + 1));
  }

  @Test
  void aCheckAskedForDuringALeaseStaysDueAfterIt() {
    OrganizationState s = registered();
    CheckLease lease = leases.claimDue("instance-1", 10, LEASE).get(0);
    leases.checkSoon(ORG); // a new configuration registered while the old one was being checked
    leases.complete(lease, s.version(), Optional.empty(), Optional.of(Duration.ofHours(1)), 0);
    assertThat(leases.claimDue("instance-2", 10, LEASE)).extracting(CheckLease::organization).containsExactly(ORG);
  }

  @Test
  void anOnDemandClaimOfACheckNotDueIsRescheduledByItsCompletion() {
    OrganizationState s = registered();
    leases.complete(leases.claimDue("instance-1", 10, LEASE).get(0), s.version(), Optional.empty(),
        Optional.of(Duration.ofHours(1)), 0);
    Instant inAnHour = leases.nextCheck(ORG).orElseThrow();
    CheckLease onDemand = leases.claim(ORG, "instance-1", LEASE).orElseThrow();
    leases.complete(onDemand, s.version(), Optional.empty(), Optional.of(Duration.ofHours(2)), 0);
    assertThat(leases.nextCheck(ORG).orElseThrow()).isAfter(inAnHour);
    assertThat(leases.claimDue("instance-2", 10, LEASE)).isEmpty();
  }

  @Test
  void anUnscheduledOrganizationIsNeverDue() throws Exception {
    registered();
    leases.unschedule(ORG);
    assertThat(leases.nextCheck(ORG)).isEmpty();
    passTime(Duration.ofMillis(10));
    assertThat(leases.claimDue("instance-1", 10, LEASE)).isEmpty();
    leases.checkSoon(ORG);
    assertThat(leases.claimDue("instance-1", 10, LEASE)).hasSize(1);
  }
}
