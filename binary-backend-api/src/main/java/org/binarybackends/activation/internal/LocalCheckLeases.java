package org.binarybackends.activation.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.CheckLease;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.LeaseLostException;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CheckLeases} kept in this process ({@link CheckLeases#local}): the single-instance version
 * of the contract, for stores without leases of their own. Every change of an organization's entry
 * is made holding that organization's lock, the completion's write of the state included, so it is
 * atomic within the process (and no map lock is held across the store's I/O).
 */
public final class LocalCheckLeases implements CheckLeases {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCheckLeases.class);

  private final OrganizationStateStore store;
  private final Clock clock;
  private final Duration firstCheckIn;
  private final ConcurrentHashMap<OrganizationId, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<OrganizationId, Object> locks = new ConcurrentHashMap<>();
  private volatile boolean scanned;
  private long fencing;

  /**
   * An organization's schedule and lease.
   *
   * @param next when it is checked next; null if not scheduled
   * @param soon whether a check was asked for during the lease (its completion keeps it due)
   */
  private record Entry(Instant next, int attempts, String holder, Instant until, long fencing, boolean soon) {
    boolean leasedAt(Instant now) {
      return holder != null && until.isAfter(now);
    }

    Entry leased(String by, Instant untilThen, long number) {
      return new Entry(next, attempts, by, untilThen, number, false);
    }
  }

  public LocalCheckLeases(OrganizationStateStore store, Clock clock, Duration firstCheckIn) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.firstCheckIn = Objects.requireNonNull(firstCheckIn, "firstCheckIn");
  }

  /**
   * Schedules what the store holds, once: when the schedule starts, or at the first claim (nothing
   * is read before checks are wanted).
   */
  void scanOnce() {
    if (scanned) {
      return;
    }
    synchronized (this) {
      if (scanned) {
        return;
      }
      Instant first = clock.instant().plus(firstCheckIn);
      for (OrganizationId org : store.organizations()) {
        boolean configured;
        try {
          OrganizationState s = store.get(org).orElseThrow();
          configured = s.staged().isPresent() || s.active().isPresent();
        } catch (CorruptStateException e) {
          LOG.error("The state of organization {} cannot be read: {}", org, e.getMessage());
          configured = true; // its checks report the problem
        }
        if (configured) {
          entries.putIfAbsent(org, new Entry(first, 0, null, null, 0, false));
        }
      }
      scanned = true;
    }
  }

  private synchronized long nextFencing() {
    return ++fencing;
  }

  private Object lockOf(OrganizationId organization) {
    return locks.computeIfAbsent(organization, o -> new Object());
  }

  @Override
  public void checkSoon(OrganizationId organization) {
    synchronized (lockOf(organization)) {
      Instant now = clock.instant();
      Entry e = entries.get(organization);
      entries.put(organization, e == null ? new Entry(now, 0, null, null, 0, false)
          : new Entry(now, 0, e.holder(), e.until(), e.fencing(), e.leasedAt(now)));
    }
  }

  @Override
  public void unschedule(OrganizationId organization) {
    synchronized (lockOf(organization)) {
      Entry e = entries.get(organization);
      if (e != null) {
        entries.put(organization, new Entry(null, 0, e.holder(), e.until(), e.fencing(), false));
      }
    }
  }

  @Override
  public List<CheckLease> claimDue(String holder, int max, Duration leaseFor) {
    scanOnce();
    Instant now = clock.instant();
    List<OrganizationId> due = new ArrayList<>();
    entries.forEach((org, e) -> {
      if (e.next() != null && !e.next().isAfter(now) && !e.leasedAt(now)) {
        due.add(org);
      }
    });
    due.sort(Comparator.comparing((OrganizationId o) -> entries.get(o).next()).thenComparing(o -> o));
    List<CheckLease> claimed = new ArrayList<>();
    for (OrganizationId org : due) {
      if (claimed.size() == max) {
        break;
      }
      claim(org, holder, leaseFor, true).ifPresent(claimed::add);
    }
    return claimed;
  }

  @Override
  public Optional<CheckLease> claim(OrganizationId organization, String holder, Duration leaseFor) {
    return claim(organization, holder, leaseFor, false);
  }

  private Optional<CheckLease> claim(OrganizationId organization, String holder, Duration leaseFor, boolean dueOnly) {
    synchronized (lockOf(organization)) {
      Instant now = clock.instant();
      Entry e = entries.get(organization);
      Entry current = e == null ? new Entry(null, 0, null, null, 0, false) : e;
      if (current.leasedAt(now) || (dueOnly && (current.next() == null || current.next().isAfter(now)))) {
        return Optional.empty();
      }
      long number = nextFencing();
      entries.put(organization, current.leased(holder, now.plus(leaseFor), number));
      return Optional.of(new CheckLease(organization, holder, number, current.attempts()));
    }
  }

  @Override
  public Optional<OrganizationState> complete(CheckLease lease, long expectedVersion, Optional<OrganizationState> next,
      Optional<Duration> nextCheckIn, int attempts) {
    synchronized (lockOf(lease.organization())) {
      Instant now = clock.instant();
      Entry e = entries.get(lease.organization());
      if (e == null || !lease.holder().equals(e.holder()) || e.fencing() != lease.fencing() || !e.leasedAt(now)) {
        throw new LeaseLostException(lease);
      }
      // a conflict throws here and leaves the entry (and the lease) as it was
      Optional<OrganizationState> stored = next.map(n -> store.compareAndSet(expectedVersion, n));
      entries.put(lease.organization(), e.soon() ? new Entry(e.next(), 0, null, null, e.fencing(), false)
          : new Entry(nextCheckIn.map(now::plus).orElse(null), attempts, null, null, e.fencing(), false));
      return stored;
    }
  }

  @Override
  public Optional<Instant> nextCheck(OrganizationId organization) {
    return Optional.ofNullable(entries.get(organization)).map(Entry::next);
  }

  @Override
  public String toString() {
    return "LocalCheckLeases{" + entries.size() + " organizations}";
  }
}
