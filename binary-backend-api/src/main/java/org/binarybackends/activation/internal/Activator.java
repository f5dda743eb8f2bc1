package org.binarybackends.activation.internal;

import org.binarybackends.activation.ActivationEvent;
import org.binarybackends.activation.ActivationListener;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CheckLease;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.LeaseLostException;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;

import org.binarybackends.InvalidConfigurationException;
import java.util.TreeSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.VerificationReport;
import org.binarybackends.Violation;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.internal.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies organizations' storage and moves their states, by the activation rule: an organization
 * keeps using the default storage until both the upload configuration and the download configuration of its
 * configuration are verified active; only then does it switch. A change of an active configuration
 * is staged and verified while the old one keeps serving; the switch happens when the new one is
 * fully active, and a change that never verifies leaves the old one working.
 *
 * <p>Every state change is a compare-and-set on the {@link OrganizationStateStore} (a conflict with
 * another service instance is retried on the fresh state), is appended to the organization's
 * history, reaches the {@link BackendResolver} of this instance, and is sent to the
 * {@link ActivationListener}s. Checks run on demand ({@link #check}) and on a {@link CheckSchedule}
 * ({@link #start}) set by the {@link ActivationPolicy}. Thread-safe.
 */
public final class Activator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
  static final String ACTOR = ActivationRule.ACTOR;
  private static final int CAS_ATTEMPTS = 20;

  private final OrganizationStateStore store;
  private final BackendPool pool;
  private final BackendResolver resolver;
  private final ActivationPolicy policy;
  private final ActivationRule rule;
  private final Clock clock;
  private final List<ActivationListener> listeners = new CopyOnWriteArrayList<>();
  private final CheckSchedule schedule;
  private final CheckLeases leases;
  /** This instance, as the holder of its check leases. */
  private final String holder;
  private final ActivationMeters meters;

  /**
   * @param store where states are kept
   * @param pool builds the backends to verify (shared with the resolver)
   * @param resolver told of every transition stored here
   * @param policy when to check and how many checks move a state
   * @param leases when each organization is checked next, and by which instance
   * @param holder this instance's name in the leases
   * @param meters told of every check and every transition stored here
   */
  public Activator(OrganizationStateStore store, BackendPool pool, BackendResolver resolver, ActivationPolicy policy,
      Clock clock, CheckLeases leases, String holder, ActivationMeters meters) {
    this.store = Objects.requireNonNull(store, "store");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.rule = new ActivationRule(policy);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.schedule = new CheckSchedule(policy);
    this.leases = Objects.requireNonNull(leases, "leases");
    this.holder = Objects.requireNonNull(holder, "holder");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  public void addListener(ActivationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---- what the embedding service does ----

  /**
   * Registers a configuration for {@code organization}: staged, pending, and verified by the next
   * check. If the organization has an active configuration, it keeps serving until this one is fully
   * active; a configuration staged earlier and not yet active is replaced.
   *
   * @param upload settings of the backend that stores the bytes, e.g. {@code {"type":"s3", ...}}
   * @param download settings of a separate backend signing downloads (a CDN), or empty
   * @param actor who asks, for the audit trail
   * @throws org.binarybackends.InvalidConfigurationException if a provider refuses the settings, the
   *     platform's {@link ActivationPolicy} does not let organizations register their type or their
   *     endpoint overrides, they name another organization, or the download configuration serves only another
   *     storage than the upload configuration (a CDN in front of another bucket); every violation at once,
   *     and nothing is changed
   */
  public OrganizationState register(OrganizationId organization, SettingsJson upload, Optional<SettingsJson> download,
      String actor) {
    Objects.requireNonNull(organization, "organization");
    List<Violation> refused = new ArrayList<>();
    BackendSettings uploadSettings = admitted("upload", upload, organization, refused);
    if (download.isPresent()) {
      BackendSettings downloadSettings = admitted("download", download.get(), organization, refused);
      if (uploadSettings != null && downloadSettings != null && downloadSettings.servesOnlyItsInstance()
          && !downloadSettings.instanceId().equals(uploadSettings.instanceId())) {
        refused.add(Violation.of("download",
            downloadSettings.instanceId().toString(), "a download configuration serving the upload configuration's storage, "
                + uploadSettings.instanceId() + " (a " + downloadSettings.type() + " download configuration serves only its"
                + " own origin)"));
      } else if (uploadSettings != null && downloadSettings != null && downloadSettings.servesOnlyItsInstance()
          && !downloadSettings.fronts(uploadSettings)) {
        // the same bucket reached two ways (another role, KMS key): downloads would not read what uploads wrote
        refused.add(Violation.of("download.origin", downloadSettings.instanceId().toString(), "exactly the upload"
            + " configuration's settings (the same role, role name, KMS key and endpoints): one bucket, one way to"
            + " reach it"));
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidConfigurationException(refused);
    }
    StorageConfiguration staged = new StorageConfiguration("cfg-" + UUID.randomUUID(), upload, uploadSettings.instanceId(), download,
        PartState.pending(), PartState.pending(), clock.instant());
    List<StorageConfiguration> replaced = new ArrayList<>();
    OrganizationState state = update(organization, s -> {
      replaced.clear();
      s.staged().ifPresent(replaced::add);
      String what = s.active().isPresent() ? "staged a change of " + s.active().get().uploadInstance() + " to "
          : "staged ";
      return s.withStaged(Optional.of(staged)).with(new Transition(clock.instant(), actor,
          what + staged.id() + " (" + staged.uploadInstance() + (download.isPresent() ? ", download via "
              + download.get().type() : "") + ")", s.active().isPresent()
              ? "the active configuration keeps serving uploads until this one is verified"
              : "uploads stay on the default storage until its upload and download configurations are verified"));
    });
    replaced.forEach(b -> retireUnlessUsed(b, state));
    leases.checkSoon(organization);
    return state;
  }

  /**
   * One part's settings, read by its provider, or {@code null} with what is wrong added to {@code
   * refused}, each field named under {@code part}. A type the policy does not allow is refused before
   * its provider reads anything: an organization learns nothing of a backend it may not use.
   */
  private BackendSettings admitted(String part, SettingsJson json, OrganizationId organization, List<Violation> refused) {
    if (!policy.allowedTypes().contains(json.type())) {
      refused.add(typeRefused(part, json.type()));
      return null;
    }
    BackendSettings settings;
    try {
      settings = pool.registry().readSettings(json.reveal());
    } catch (org.binarybackends.InvalidInputException e) {
      e.violations().forEach(v -> refused.add(new Violation(part + "." + v.field(), v.shownValue(), v.allowed())));
      if (e.omitted() > 0) {
        refused.add(new Violation(part, "(" + e.omitted() + " more violations, not listed)", "valid settings"));
      }
      return null;
    }
    refused.addAll(admissible(part, settings, organization));
    return settings;
  }

  private Violation typeRefused(String part, String type) {
    return Violation.of(part + ".type", type, "a backend type this platform lets"
        + " organizations register: one of " + new TreeSet<>(policy.allowedTypes()));
  }

  /**
   * What the platform's policy refuses in one part's settings: organization settings are untrusted
   * input, so their type, the organization they name and the hosts they send requests to are the
   * platform's decision.
   */
  private List<Violation> admissible(String part, BackendSettings settings,
      OrganizationId organization) {
    List<Violation> v = new ArrayList<>();
    if (!policy.allowedTypes().contains(settings.type())) {
      v.add(typeRefused(part, settings.type()));
    }
    settings.servedOrganization().filter(named -> !named.equals(organization)).ifPresent(named ->
        v.add(Violation.of(part + ".organization", named.value(), "the organization registering"
            + " these settings, " + organization.value())));
    if (!policy.endpointOverridesAllowed()) {
      for (String field : settings.endpointOverrides()) {
        v.add(Violation.of(part + "." + field, "(set)", "absent: endpoints are the platform's"
            + " configuration, not an organization's (ActivationPolicy.allowEndpointOverrides is for"
            + " S3-compatible stores and tests)"));
      }
    }
    return v;
  }

  /**
   * Removes the organization's own storage, active and staged: new uploads go to the default
   * storage again. Binaries stored in it stay readable (and deletable) through the retired
   * configuration, kept in the state, until {@link #forgetRetired} is called for it: the embedding
   * service moves or deletes them first.
   *
   * @throws InvalidInputException if the organization has no storage of its own registered
   */
  public OrganizationState remove(OrganizationId organization, String actor) {
    List<StorageConfiguration> removed = new ArrayList<>();
    OrganizationState state = update(organization, s -> {
      removed.clear();
      s.active().ifPresent(removed::add);
      s.staged().ifPresent(removed::add);
      if (removed.isEmpty()) {
        throw new InvalidInputException(List.of(Violation.of("organization", organization.value(),
            "an organization with a storage of its own registered; this one has none")));
      }
      OrganizationState next = s.withActive(Optional.empty()).withStaged(Optional.empty());
      for (StorageConfiguration b : removed) {
        next = next.withRetired(b);
      }
      return next.with(new Transition(clock.instant(), actor, "removed " + removed.stream()
          .map(b -> b.id() + " (" + b.uploadInstance() + ")").collect(Collectors.joining(", ")),
          "new uploads go to the default storage; binaries stored in " + removed.stream()
              .map(b -> b.uploadInstance().toString()).collect(Collectors.joining(", "))
              + " stay readable until that instance is forgotten"));
    });
    removed.forEach(b -> retireUnlessUsed(b, state));
    leases.unschedule(organization);
    return state;
  }

  /**
   * Forgets a retired instance: binaries still stored there can no longer be read through the library.
   *
   * @throws InvalidInputException if the instance is not one of the organization's retired ones
   */
  public OrganizationState forgetRetired(OrganizationId organization, BackendInstanceId instance, String actor) {
    return update(organization, s -> {
      if (!s.retired().containsKey(instance)) {
        throw new InvalidInputException(List.of(Violation.of("instance", String.valueOf(instance),
            "one of the retired instances of organization " + organization + ": " + s.retired().keySet())));
      }
      return s.withoutRetired(instance).with(new Transition(clock.instant(), actor, "forgot " + instance,
          "binaries stored there are no longer readable through the library"));
    });
  }

  /**
   * Allows (or stops allowing) uploads of a switched organization to go to the default storage while
   * its own storage is degraded. Off by default: the customer brought their own storage for a reason.
   */
  public OrganizationState allowFallback(OrganizationId organization, boolean allowed, String actor) {
    return update(organization, s -> s.fallbackAllowed() == allowed ? s : s.withFallbackAllowed(allowed).with(
        new Transition(clock.instant(), actor, (allowed ? "allowed" : "disallowed") + " fallback to the default storage",
            allowed ? "while its own storage is degraded, uploads go to the default storage"
                : "while its own storage is degraded, uploads fail")));
  }

  /**
   * Records in the organization's history what was done to its binaries outside the activation rule
   * (its removal from the default storage), for the audit trail and the listeners.
   */
  public OrganizationState record(OrganizationId organization, String actor, String change, String reason) {
    return update(organization, s -> s.with(new Transition(clock.instant(), actor, change, reason)));
  }

  // ---- checks ----

  /**
   * Verifies the organization's staged and active configurations now, and stores what changed. It
   * holds the organization's check lease meanwhile; if another check holds it (a scheduled one, here
   * or on another instance), this waits for that one to end, up to twice the lease time.
   *
   * @return the state after the check
   * @throws BackendUnavailableException if another instance's check held it all that time
   */
  public OrganizationState check(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    Optional<OrganizationState> stored = store.get(organization);
    if (stored.isEmpty()) {
      return OrganizationState.initial(organization); // nothing registered, nothing to check
    }
    long deadline = System.nanoTime() + policy.checkLease().multipliedBy(2).toNanos();
    while (true) {
      Optional<CheckLease> lease = leases.claim(organization, holder, policy.checkLease());
      if (lease.isPresent()) {
        return checkUnder(lease.get());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BackendUnavailableException("a check of organization " + organization + " held its lease for"
            + " twice the lease time (" + policy.checkLease() + "); try again", true, null);
      }
      try {
        Thread.sleep(50); // a check in progress elsewhere ends within its lease
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendUnavailableException("interrupted waiting for the check of " + organization, true, e);
      }
    }
  }

  /**
   * The check itself, under {@code lease}: the probes run outside any transaction; their outcome,
   * the next check and the end of the lease are stored together, recomputed on the fresh state after
   * a conflict, and not at all if the lease lapsed meanwhile (another instance checks it now).
   */
  private OrganizationState checkUnder(CheckLease lease) {
    LogContext log = LogContext.of(lease.organization(), null);
    try {
      return checkUnderLogged(lease);
    } finally {
      log.close();
    }
  }

  private OrganizationState checkUnderLogged(CheckLease lease) {
    OrganizationId organization = lease.organization();
    OrganizationState before;
    Optional<ActivationRule.Verified> staged;
    Optional<ActivationRule.Verified> active;
    try {
      before = current(organization);
      resolver.stateChanged(before); // changes made by other instances reach this one's resolver
      staged = before.staged().map(this::verify);
      active = before.active().map(this::verify);
    } catch (RuntimeException e) {
      release(lease, schedule.afterFailure(lease.attempts()));
      throw e;
    }
    for (int attempt = 1; ; attempt++) {
      OrganizationState current = attempt == 1 ? before : current(organization);
      ActivationRule.Step step = rule.apply(current, active, staged, clock.instant());
      OrganizationState next = step.state();
      CheckSchedule.Next when = schedule.after(next, lease.attempts());
      Optional<OrganizationState> stored;
      try {
        stored = leases.complete(lease, current.version(), next.equals(current) ? Optional.empty() : Optional.of(next),
            when.in(), when.attempts());
      } catch (StateConflictException e) {
        if (attempt == CAS_ATTEMPTS) {
          release(lease, schedule.afterFailure(lease.attempts()));
          throw e;
        }
        continue;
      } catch (LeaseLostException e) {
        LOG.info("Organization {}: {}", organization, e.getMessage());
        return current(organization);
      }
      OrganizationState after = stored.orElse(current);
      resolver.stateChanged(after);
      if (stored.isPresent()) {
        publish(current, after);
      }
      step.left().forEach(b -> retireUnlessUsed(b, after));
      return after;
    }
  }

  /** Ends a lease without storing a state, the next check set to {@code when}; a lapsed lease is left as it is. */
  private void release(CheckLease lease, CheckSchedule.Next when) {
    try {
      leases.complete(lease, 0, Optional.empty(), when.in(), when.attempts());
    } catch (RuntimeException e) {
      LOG.debug("Releasing the check lease of {} failed: {}", lease.organization(), e.toString());
    }
  }

  private OrganizationState current(OrganizationId organization) {
    return store.get(organization).orElseGet(() -> OrganizationState.initial(organization));
  }

  private ActivationRule.Verified verify(StorageConfiguration c) {
    CheckOutcome upload = verify(c.upload());
    meters.checked("upload", upload);
    CheckOutcome download = upload;
    if (c.download().isPresent()) {
      download = verify(c.download().get());
      meters.checked("download", download);
    }
    return new ActivationRule.Verified(c.id(), upload, download);
  }

  private CheckOutcome verify(SettingsJson settings) {
    Instant at = clock.instant();
    try {
      BinaryBackend backend = pool.acquire(settings);
      VerificationReport report = backend.verify();
      if (report.passed()) {
        List<VerificationReport.Check> warnings = report.checks().stream()
            .filter(c -> c.status() == VerificationReport.Status.WARNING).collect(Collectors.toList());
        return new CheckOutcome(at, true, false, "all " + report.checks().size() + " checks passed" + (warnings.isEmpty()
            ? "" : ActivationRule.WARNINGS + warnings.stream().map(c -> c.name() + ": " + c.detail()).collect(Collectors.joining("; "))));
      }
      List<VerificationReport.Check> failures = report.failures();
      boolean retryable = failures.stream().allMatch(VerificationReport.Check::retryable);
      return new CheckOutcome(at, false, retryable, failures.stream().map(c -> c.name() + ": " + c.detail())
          .collect(Collectors.joining("; ")));
    } catch (BackendUnavailableException e) {
      return new CheckOutcome(at, false, e.retryable(), e.getMessage());
    } catch (BinaryBackendException e) {
      // access denied, invalid settings: someone must fix something
      return new CheckOutcome(at, false, false, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Verifying a {} backend failed unexpectedly", settings.type(), e);
      return new CheckOutcome(at, false, true, "verification failed unexpectedly: " + e);
    }
  }

  // ---- storing ----

  /**
   * Applies {@code change} to the stored state with compare-and-set, recomputing it on the fresh
   * state after a conflict; stores nothing if it returns the state unchanged.
   */
  private OrganizationState update(OrganizationId organization, UnaryOperator<OrganizationState> change) {
    for (int attempt = 1; ; attempt++) {
      OrganizationState current = store.get(organization).orElseGet(() -> OrganizationState.initial(organization));
      OrganizationState next = change.apply(current);
      if (next.equals(current)) {
        resolver.stateChanged(current);
        return current;
      }
      try {
        OrganizationState stored = store.compareAndSet(current.version(), next);
        resolver.stateChanged(stored);
        publish(current, stored);
        return stored;
      } catch (StateConflictException e) {
        if (attempt == CAS_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void publish(OrganizationState before, OrganizationState after) {
    List<Transition> added = after.history().subList(commonPrefix(before.history(), after.history()),
        after.history().size());
    java.util.Set<String> warned = new java.util.HashSet<>();
    for (Transition t : added) {
      meters.transition(t);
      // new warnings are said loudly, once: the two parts of one backend carry the same ones
      if ((t.change().contains(ActivationRule.WARNS) || t.reason().contains(ActivationRule.WARNINGS)) && warned.add(t.reason())) {
        LOG.warn("Organization {}: {} ({}; by {})", after.organization(), t.change(), t.reason(), t.actor());
      } else {
        LOG.info("Organization {}: {} ({}; by {})", after.organization(), t.change(), t.reason(), t.actor());
      }
      for (ActivationListener l : listeners) {
        try {
          l.onTransition(new ActivationEvent(t, after));
        } catch (RuntimeException e) {
          LOG.warn("An activation listener failed on {}", t, e);
        }
      }
    }
  }

  /** How many transitions of {@code after} were already in {@code before} (histories are bounded). */
  private static int commonPrefix(List<Transition> before, List<Transition> after) {
    if (before.isEmpty()) {
      return 0;
    }
    Transition last = before.get(before.size() - 1);
    int at = after.lastIndexOf(last);
    return at < 0 ? 0 : at + 1;
  }

  /** Retires the backends of a configuration that left {@code state}, unless its settings are still in use there. */
  private void retireUnlessUsed(StorageConfiguration b, OrganizationState state) {
    List<SettingsJson> used = new ArrayList<>();
    for (Optional<StorageConfiguration> c : List.of(state.active(), state.staged())) {
      c.ifPresent(x -> {
        used.add(x.upload());
        x.download().ifPresent(used::add);
      });
    }
    if (!used.contains(b.upload())) {
      pool.retire(b.upload());
    }
    b.download().filter(d -> !used.contains(d)).ifPresent(pool::retire);
  }

  // ---- schedule ----

  /**
   * The organization's status, read from the store now: where its uploads go and why, its
   * configurations with each part's state and last check, and when this instance checks it next.
   *
   * @throws CorruptStateException if its stored state cannot be read
   */
  public OrganizationStatus status(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    return status(store.get(organization).orElseGet(() -> OrganizationState.initial(organization)));
  }

  /**
   * The status of {@code state} (one a command of this activator returned, say), with this
   * instance's next check of its organization: no read of the store.
   */
  public OrganizationStatus status(OrganizationState state) {
    return OrganizationStatus.of(Objects.requireNonNull(state, "state"), nextCheck(state.organization()));
  }

  /** When {@code organization} is checked next, if it is scheduled. */
  public Optional<Instant> nextCheck(OrganizationId organization) {
    return leases.nextCheck(organization);
  }

  /**
   * Runs the checks that are due now (see {@link CheckSchedule#runDue}), then closes retired
   * backends whose grace has passed.
   *
   * @return how many checks were run or started
   */
  public int runDueChecks() {
    int started = schedule.runDue(leases, holder, this::checkUnder);
    pool.sweep();
    return started;
  }

  /**
   * Every {@code tick} checks what is due, {@code parallelChecks} organizations at once, until
   * {@link #close}.
   */
  public void start(Duration tick, int parallelChecks) {
    if (leases instanceof LocalCheckLeases) {
      ((LocalCheckLeases) leases).scanOnce(); // what the store holds is scheduled from now on
    }
    schedule.start(tick, parallelChecks, this::runDueChecks);
  }

  /** Stops the schedule, waiting for the checks in progress (see {@link CheckSchedule#close}). */
  @Override
  public void close() {
    schedule.close();
  }
}
