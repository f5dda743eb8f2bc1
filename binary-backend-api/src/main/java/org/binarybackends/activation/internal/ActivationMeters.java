package org.binarybackends.activation.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activation's meters: organizations per state, transitions by kind, checks by outcome, the
 * oldest last passed check and the organizations overdue for one.
 *
 * <p>The gauges read a census of every organization's state, kept in memory: updated by every state
 * this instance reads or stores (its own changes, its checks, other instances' changes through the
 * store's feed), and counted from the store at the first reading of a gauge and again at most once
 * per {@code rescanEvery} (on the library's clock), on a thread of its own, when a gauge is read: so a scrape never waits for the
 * store, and an instance sees the states other instances keep even without a feed. Whether an
 * organization is overdue needs its next check, which a shared store keeps per organization: that is
 * counted at a rescan only.
 *
 * <p>"The last passed check" of an organization is the oldest of its parts' last passed checks; a
 * part whose last check failed keeps the last pass this instance saw, and one never seen passing
 * (pending, or degraded since before this process started) is left out: the state gauges count those.
 */
public final class ActivationMeters implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActivationMeters.class);

  /** The {@code state} tag of {@code binary.backend.activation.organizations}. */
  enum State {
    /** No storage of its own. */
    DEFAULT_STORAGE,
    /** A configuration of its own registered, not verified yet: uploads go to the default storage. */
    PENDING,
    /** Its own storage serves its uploads. */
    OWN_STORAGE,
    /** Its own storage is degraded; uploads fall back to the default storage, as allowed. */
    DEGRADED,
    /** Its own storage is degraded and fallback is not allowed: its uploads are refused. */
    SUSPENDED;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);

    static State of(OrganizationState s) {
      OrganizationStatus.UploadsGoTo to = UploadRoute.of(s).to();
      if (to == OrganizationStatus.UploadsGoTo.NOWHERE) {
        return SUSPENDED;
      }
      if (s.active().isPresent()) {
        return to == OrganizationStatus.UploadsGoTo.OWN_STORAGE ? OWN_STORAGE : DEGRADED;
      }
      return s.staged().isPresent() ? PENDING : DEFAULT_STORAGE;
    }
  }

  /** What the census knows of one organization. */
  private record Entry(long version, State state, Optional<Instant> lastPassed,
      Map<String, Instant> passes) {}

  private final Instrumentation meters;
  private final boolean enabled;
  private final Clock clock;
  private final Duration rescanEvery;
  private final Duration overdueAfter;
  private final ConcurrentHashMap<OrganizationId, Entry> census = new ConcurrentHashMap<>();
  private final List<Instrumentation.Registration> gauges = new ArrayList<>();
  private final AtomicBoolean rescanning = new AtomicBoolean();
  private final AtomicLong generation = new AtomicLong();
  private volatile Instant lastRescan = Instant.MIN;
  private volatile int overdue;
  private OrganizationStateStore store;
  private CheckLeases leases;
  private ExecutorService rescans;

  /**
   * @param rescanEvery how often the census is counted again from the store
   * @param overdueAfter how long past its due time a check is overdue
   */
  public ActivationMeters(Instrumentation meters, Clock clock, Duration rescanEvery, Duration overdueAfter) {
    this.meters = meters;
    this.enabled = meters != Instrumentation.none();
    this.clock = clock;
    this.rescanEvery = rescanEvery;
    this.overdueAfter = overdueAfter;
  }

  /** Starts the gauges, reading the census from {@code store} (and the next checks from {@code leases}). */
  public synchronized void start(OrganizationStateStore store, CheckLeases leases) {
    if (!enabled || this.store != null) {
      return;
    }
    this.store = store;
    this.leases = leases;
    this.rescans = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bb-activation-census");
      t.setDaemon(true);
      return t;
    });
    for (State s : State.values()) {
      gauges.add(meters.gauge("binary.backend.activation.organizations", "Organizations in each activation state",
          null, MetricTags.of("state", s.tag), this, m -> m.count(s)));
    }
    gauges.add(meters.gauge("binary.backend.activation.check.oldest.passed", "Seconds since the oldest of the"
        + " organizations' last passed checks", "seconds", MetricTags.empty(), this, ActivationMeters::oldestPassedAge));
    gauges.add(meters.gauge("binary.backend.activation.checks.overdue", "Organizations whose next check is overdue",
        null, MetricTags.empty(), this, ActivationMeters::overdue));
    // no count at start-up (the check schedule reads the store then already): the first reading of a
    // gauge starts it, and until it ends the gauges follow what this instance sees
  }

  // ---- what happens ----

  /** A state read or stored by this instance. */
  public void observe(OrganizationState state) {
    if (!enabled) {
      return;
    }
    generation.incrementAndGet();
    census.compute(state.organization(), (org, old) -> old != null && old.version() > state.version() ? old
        : entry(state, old));
  }

  /** A transition stored by this instance. */
  public void transition(Transition t) {
    meters.counter("binary.backend.activation.transitions", "Transitions of organizations' states, by kind", null,
        MetricTags.of("kind", TransitionKind.of(t).tag)).increment();
  }

  /** A check of one part of a configuration: {@code upload} or {@code download}. */
  public void checked(String part, CheckOutcome outcome) {
    String result = outcome.passed() ? "passed" : outcome.retryable() ? "retryable" : "definite_failure";
    meters.counter("binary.backend.activation.checks", "Checks of configurations' parts, by outcome", null,
        MetricTags.of("outcome", result, "part", part)).increment();
  }

  private static Entry entry(OrganizationState s, Entry old) {
    Map<String, Instant> passes = new HashMap<>();
    Instant oldest = null;
    boolean unknown = false;
    for (Optional<StorageConfiguration> c : List.of(s.active(), s.staged())) {
      if (c.isEmpty()) {
        continue;
      }
      StorageConfiguration conf = c.get();
      for (Map.Entry<String, PartState> part : parts(conf).entrySet()) {
        String id = conf.id() + "/" + part.getKey();
        Optional<CheckOutcome> last = part.getValue().lastCheck();
        Instant passed = last.filter(CheckOutcome::passed).map(CheckOutcome::at)
            .orElse(old == null ? null : old.passes().get(id));
        if (passed != null) {
          passes.put(id, passed);
          oldest = oldest == null || passed.isBefore(oldest) ? passed : oldest;
        } else {
          unknown = true;
        }
      }
    }
    // an organization with a part never seen passing is left out of the oldest pass: see the class comment
    return new Entry(s.version(), State.of(s), unknown ? Optional.empty() : Optional.ofNullable(oldest),
        passes);
  }

  private static Map<String, PartState> parts(StorageConfiguration c) {
    Map<String, PartState> parts = new java.util.LinkedHashMap<>();
    parts.put("upload", c.uploadState());
    if (c.download().isPresent()) {
      parts.put("download", c.downloadState());
    }
    return parts;
  }

  // ---- the gauges ----

  private double count(State s) {
    rescanIfDue();
    return census.values().stream().filter(e -> e.state() == s).count();
  }

  private double oldestPassedAge() {
    rescanIfDue();
    Instant oldest = census.values().stream().map(Entry::lastPassed).flatMap(Optional::stream).min(Instant::compareTo)
        .orElse(null);
    return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
  }

  private double overdue() {
    rescanIfDue();
    return overdue;
  }

  private void rescanIfDue() {
    if (!clock.instant().isBefore(lastRescan.plus(rescanEvery))) {
      rescanSoon();
    }
  }

  private void rescanSoon() {
    if (!rescanning.compareAndSet(false, true)) {
      return;
    }
    try {
      rescans.execute(() -> {
        try {
          rescan();
        } catch (RuntimeException e) {
          LOG.warn("Counting the organizations' states for the activation gauges failed: {}", e.toString());
        } finally {
          rescanning.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      rescanning.set(false); // closed
    }
  }

  /** Counts the census again from the store, and the organizations overdue for a check. */
  private void rescan() {
    Instant now = clock.instant();
    long before = generation.get();
    Set<OrganizationId> listed = new HashSet<>();
    int late = 0;
    Instant overdueBefore = now.minus(overdueAfter);
    for (OrganizationId org : store.organizations()) {
      listed.add(org);
      Optional<OrganizationState> s;
      try {
        s = store.get(org);
      } catch (RuntimeException e) {
        LOG.debug("Census: reading {} failed: {}", org, e.toString());
        continue; // a corrupt state: its checks report it
      }
      if (s.isEmpty()) {
        continue;
      }
      observe(s.get());
      if (s.get().active().isPresent() || s.get().staged().isPresent()) {
        Optional<Instant> next = leases.nextCheck(org);
        if (next.isEmpty() || next.get().isBefore(overdueBefore)) {
          late++;
        }
      }
    }
    if (generation.get() == before + listed.size()) {
      // nothing observed meanwhile but what this read: organizations no longer listed are gone
      census.keySet().retainAll(listed);
    }
    overdue = late;
    lastRescan = now;
  }

  @Override
  public synchronized void close() {
    gauges.forEach(Instrumentation.Registration::close);
    gauges.clear();
    if (rescans != null) {
      rescans.shutdownNow();
    }
  }

  /** The kinds of transitions: the {@code kind} tag. */
  enum TransitionKind {
    STAGED, SWITCHED, ACTIVATED, DEGRADED, RECOVERED, PART_CHANGED, WARNED, REMOVED, FORGOT_RETIRED,
    FALLBACK_ALLOWED, FALLBACK_DISALLOWED, OFFBOARDED, MOVED, SOURCE_DELETED, OTHER;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);

    /** The kind of {@code t}, from the words its maker starts its change with (see where each is made). */
    static TransitionKind of(Transition t) {
      String c = t.change();
      if (c.startsWith("staged ")) {
        return STAGED;
      }
      if (c.startsWith("switched to ")) {
        return SWITCHED;
      }
      if (c.contains(ActivationRule.WARNS)) {
        return WARNED;
      }
      if (c.contains(" configuration of ")) {
        if (c.endsWith("PENDING -> ACTIVE")) {
          return ACTIVATED;
        }
        if (c.endsWith("-> DEGRADED")) {
          return DEGRADED;
        }
        if (c.endsWith("DEGRADED -> ACTIVE")) {
          return RECOVERED;
        }
        return PART_CHANGED;
      }
      if (c.startsWith(OFFBOARDED_CHANGE)) {
        return OFFBOARDED;
      }
      if (c.startsWith("removed ")) {
        return REMOVED;
      }
      if (c.startsWith("forgot ")) {
        return FORGOT_RETIRED;
      }
      if (c.startsWith("allowed fallback")) {
        return FALLBACK_ALLOWED;
      }
      if (c.startsWith("disallowed fallback")) {
        return FALLBACK_DISALLOWED;
      }
      if (c.startsWith("moved the binaries of ")) {
        return MOVED; // Migrator
      }
      if (c.startsWith("deleted the originals of ")) {
        return SOURCE_DELETED; // Migrator
      }
      return OTHER;
    }
  }

  /** How an offboarding's transition starts (made by the entry point). */
  public static final String OFFBOARDED_CHANGE = "removed from the default storage";

  @Override
  public String toString() {
    Map<State, Long> by = new EnumMap<>(State.class);
    census.values().forEach(e -> by.merge(e.state(), 1L, Long::sum));
    return "ActivationMeters{" + by + ", overdue " + overdue + "}";
  }
}
