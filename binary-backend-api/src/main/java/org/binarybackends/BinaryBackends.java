package org.binarybackends;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.activation.ActivationListener;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.StateChanges;
import org.binarybackends.activation.internal.ActivationMeters;
import org.binarybackends.activation.internal.Activator;
import org.binarybackends.activation.internal.BackendPool;
import org.binarybackends.activation.internal.BackendResolver;
import org.binarybackends.internal.InstrumentedBackend;
import org.binarybackends.migration.Migrations;
import org.binarybackends.migration.internal.Migrator;
import org.binarybackends.migration.internal.MovedBackend;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;
import org.binarybackends.quota.QuotaUsage;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.quota.internal.QuotaGuard;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.SharedNotes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object a service holds: the platform's default storage, every organization's own storage
 * and the activation rule between them, wired once. Built by {@link #builder()}:
 *
 * <pre>{@code
 * BinaryBackends binaries = BinaryBackends.builder()
 *     .stateStore(JsonFileStateStore.open(stateDir, keys))
 *     .defaultStorage(DefaultStorageSettings.builder()...build())
 *     .context(BackendContext.builder().service(S3Platform.class, platform).build())
 *     .build();                       // organizations' checks are scheduled from here on
 *
 * binaries.register(org, SettingsJson.of(json), Optional.empty(), "alice");
 * StoredBinary stored = binaries.forUpload(org).backend().put(org, key, in, options);
 * SignedUrl url = binaries.signDownloadUrl(stored.location(), Duration.ofHours(1));
 * String adminPage = binaries.status(org).toJson();
 * binaries.close();                   // the schedule, every backend, the default storage, the store
 * }</pre>
 *
 * <p>It builds the registry's backends once per configuration, in one pool shared by what answers
 * where uploads go and where a binary is and by what verifies configurations and moves states, on
 * one {@link BackendContext}, whose clock is the one clock of all of them. Unless the context provides {@link SharedNotes}, the backends share
 * their notes through the state store's {@link NoteStore}. Thread-safe.
 */
public final class BinaryBackends implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BinaryBackends.class);

  private final OrganizationStateStore store;
  private final BinaryBackend defaultStorage;
  /** The default storage's quotas, if it has any: {@link #defaultStorage} is then this guard. */
  private final QuotaGuard quotas;
  private final BackendPool pool;
  private final BackendResolver resolver;
  private final Activator activator;
  private final ActivationMeters activationMeters;
  private final Migrator migrator;
  private final List<AutoCloseable> closeAfterwards;
  private final String instanceName;
  /** The context's clock, the one of every backend. */
  private final java.time.Clock clock;
  /** The subscription to other instances' changes, if the store offers them. */
  private final AutoCloseable changes;
  /** Whether the default storage was built here (from settings), and so is closed here. */
  private final boolean ownsDefaultStorage;
  private boolean closed;

  private BinaryBackends(Builder b, BinaryBackend defaultStorage, BackendContext context) {
    this.store = b.store;
    this.clock = context.clock();
    this.quotas = b.quotas == null ? null
        : new QuotaGuard(defaultStorage, b.quotas, context.service(SharedNotes.class).orElseThrow(), context.clock());
    this.defaultStorage = InstrumentedBackend.of(quotas != null ? quotas : defaultStorage, context.instrumentation(),
        b.defaultStorageSettings != null ? b.defaultStorageSettings.type() : defaultStorage.instanceId().type());
    this.ownsDefaultStorage = b.defaultStorage == null;
    this.pool = new BackendPool(b.registry, context, b.closeGrace);
    this.activationMeters = new ActivationMeters(context.instrumentation(), context.clock(), b.censusEvery,
        b.policy.checkLease());
    this.resolver = new BackendResolver(store, this.defaultStorage, pool, activationMeters);
    // listening before anything is read: no change another instance stores falls between
    this.changes = store instanceof StateChanges ? ((StateChanges) store).subscribe(new StateChanges.Listener() {
      @Override
      public void changed(OrganizationId organization) {
        resolver.changedElsewhere(organization);
        Migrator m = migrator; // null until built: nothing of it cached yet
        if (m != null) {
          m.changedElsewhere(organization); // a move recorded elsewhere is in the organization's history
        }
      }

      @Override
      public void resync() {
        resolver.refreshAll();
        Migrator m = migrator;
        if (m != null) {
          m.forgetMoves();
        }
      }
    }) : null;
    CheckLeases leases = store instanceof CheckLeases ? (CheckLeases) store
        : CheckLeases.local(store, context.clock(), b.policy.pendingFirstDelay());
    this.instanceName = b.instanceName != null ? b.instanceName : defaultInstanceName();
    this.activator = new Activator(store, pool, resolver, b.policy, context.clock(), leases, instanceName,
        activationMeters);
    activationMeters.start(store, leases);
    b.listeners.forEach(activator::addListener);
    this.migrator = new Migrator((org, instance) -> resolver.backendOf(org, instance, "instance"), org -> {
      try {
        return Optional.of(resolver.forUpload(org).backend().instanceId());
      } catch (UploadsSuspendedException e) {
        return Optional.empty();
      }
    }, context.service(SharedNotes.class).orElseThrow(), context.clock(), instanceName, activator::record);
    this.closeAfterwards = List.copyOf(b.closeAfterwards);
  }

  /** {@code <host>/<pid>/<random>}: unique per process and start, readable in the leases. */
  private static String defaultInstanceName() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "host";
    }
    return host + "/" + ProcessHandle.current().pid() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /** This instance's name, as it holds organizations' check leases. */
  public String instanceName() {
    return instanceName;
  }

  /** A builder; the state store and the default storage are required. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- storing and serving ----

  /**
   * Where a new upload of {@code organization} goes, and why: its own storage once both parts of its
   * configuration are verified active, the default storage until then.
   *
   * @throws UploadsSuspendedException if it switched to its own storage, which is degraded, and
   *     fallback is not allowed for it
   */
  public UploadTarget forUpload(OrganizationId organization) {
    return resolver.forUpload(organization);
  }

  /**
   * The backend holding the bytes of the binary at {@code location} (whatever is active now): read,
   * stat or delete it there. Do not close it; do not keep it. If that instance's binaries were moved
   * ({@link #migrations()}), it is the backend they were moved to (falling back to the original
   * instance for a binary stored there after the move).
   */
  public BinaryBackend forBinary(BinaryLocation location) {
    BinaryLocation at = moved(location);
    if (at == location) {
      return resolver.forBinary(location);
    }
    // moved: read where it went, or where it was for one stored there after the move
    return new MovedBackend(resolver.forBinary(at), () -> resolver.forBinary(location));
  }

  /** A download URL for the binary at {@code location}, signed by what serves that storage's downloads. */
  public SignedUrl signDownloadUrl(BinaryLocation location, Duration ttl) {
    BinaryLocation at = moved(location);
    if (at != location && !heldAt(at)) {
      at = location; // stored at the source after the move: signed there
    }
    return resolver.signDownloadUrl(at, ttl);
  }

  /** How long a binary found where its location's instance was moved is taken to be there, unasked. */
  private static final long HELD_FOR_MILLIS = 60_000;
  /** How many such answers are kept before the expired ones are swept (and, if still as many, all). */
  private static final int HELD_KEPT = 50_000;
  /** Binaries found at the instance theirs was moved to, until when: a fleet signing one firmware costs one stat a minute. */
  private final java.util.concurrent.ConcurrentHashMap<BinaryLocation, Long> heldAt =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Whether the binary at {@code at} (where its location's instance was moved) is there, from a
   * stat at most once a minute: a signed URL does not check that its binary exists anyway, so one
   * deleted meanwhile gets the 404 it would have got unmoved. Only presence is remembered: a binary
   * stored at the source after the move is asked about each time (rare, and found at once).
   */
  private boolean heldAt(BinaryLocation at) {
    long now = clock.millis();
    Long until = heldAt.get(at);
    if (until != null && now < until) {
      return true;
    }
    try {
      resolver.forBinary(at).stat(at.organization(), at.key());
    } catch (BinaryNotFoundException e) {
      heldAt.remove(at);
      return false;
    }
    if (heldAt.size() >= HELD_KEPT) {
      heldAt.values().removeIf(t -> now >= t);
      if (heldAt.size() >= HELD_KEPT) {
        heldAt.clear();
      }
    }
    heldAt.put(at, now + HELD_FOR_MILLIS);
    return true;
  }

  /**
   * Where {@code location}'s binary is now: in the instance its own was moved to, if it was (and so
   * on, a cycle cut where it closes); {@code location} itself if it was not moved.
   */
  private BinaryLocation moved(BinaryLocation location) {
    Objects.requireNonNull(location, "location");
    BinaryLocation at = location;
    java.util.Set<BackendInstanceId> seen = new java.util.HashSet<>(List.of(location.instance()));
    for (int hop = 0; hop < 8; hop++) {
      Optional<BackendInstanceId> to = migrator.movedTo(at.organization(), at.instance());
      if (to.isEmpty() || !seen.add(to.get())) {
        return at;
      }
      at = new BinaryLocation(to.get(), at.organization(), at.key());
    }
    return at; // moved more than 8 times: as far as that
  }

  /**
   * Moving organizations' binaries between their storages (the default storage, their
   * configurations' instances): plan, run, resume, delete the originals. See {@link Migrations}.
   */
  public Migrations migrations() {
    return migrator;
  }

  /**
   * The platform's default storage (with its quotas, if {@link Builder#quotas} set some). Do not
   * close one built from settings: {@link #close()} does.
   */
  public BinaryBackend defaultStorage() {
    return defaultStorage;
  }

  // ---- offboarding ----

  /**
   * Removes an organization from the default storage (it leaves the platform, or its binaries there
   * are no longer wanted): every binary it has there, and its uploads in flight and records where the
   * storage tells them apart (the platform's bucket removes its whole prefix); each binary is passed
   * to {@code each} as it goes. With {@code dryRun}, nothing is removed and {@code each} lists what
   * would go. A removal is recorded in the organization's history with {@code actor}. Stop the
   * organization's uploads first: one arriving meanwhile may stay. Its own storage, if it has one,
   * is not touched (moving binaries elsewhere first is a migration's).
   *
   * @throws InvalidInputException for a blank actor
   */
  public OrganizationRemoval offboard(OrganizationId organization, boolean dryRun, String actor,
      java.util.function.Consumer<ListedBinary> each) {
    if (organization == null) {
      throw InvalidInputException.of("organization", null, "an organization id");
    }
    if (actor == null || actor.isBlank()) {
      throw InvalidInputException.of("actor", actor, "who asks, for the audit trail");
    }
    Objects.requireNonNull(each, "each");
    OrganizationRemoval removal = defaultStorage.removeOrganization(organization, dryRun, each);
    if (!dryRun) {
      LOG.info("{}: {} (asked by {})", organization, removal, actor);
      activator.record(organization, actor, ActivationMeters.OFFBOARDED_CHANGE + " " + removal.storage(), removal.binaries()
          + " binaries (" + removal.bytes() + " bytes) and " + removal.uploadsAborted() + " uploads in flight deleted;"
          + " locations in the default storage no longer resolve to bytes");
    }
    return removal;
  }

  // ---- quotas on the default storage ----

  /**
   * What {@code organization} uses of its quota on the default storage, as the shared ledger holds
   * it (counted from a listing the first time); empty if it has none.
   */
  public Optional<QuotaUsage> quotaUsage(OrganizationId organization) {
    return quotas == null ? Optional.empty() : quotas.usage(organization);
  }

  /**
   * Counts {@code organization}'s binaries in the default storage again from a listing (one pass over
   * its keys) and keeps that as its usage; uploads in flight keep their reservations. For drift the
   * ledger cannot see (a write to the storage around the library, a delete racing an overwrite).
   *
   * @return the usage after it; empty if it has no quota
   */
  public Optional<QuotaUsage> reconcileQuota(OrganizationId organization) {
    return quotas == null ? Optional.empty() : quotas.reconcile(organization);
  }

  // ---- an organization's own storage ----

  /**
   * Registers a configuration of the organization's own storage: staged, pending, verified by the
   * next check; the organization keeps its current storage until both parts are verified active.
   *
   * @param upload settings of the backend that stores the bytes
   * @param download settings of a separate backend signing downloads (a CDN), or empty
   * @param actor who asks, for the audit trail
   * @throws InvalidConfigurationException if the settings or the platform's policy refuse it (every
   *     violation at once; nothing changed)
   */
  public OrganizationStatus register(OrganizationId organization, SettingsJson upload, Optional<SettingsJson> download,
      String actor) {
    return activator.status(activator.register(organization, upload, download, actor));
  }

  /** {@link #register(OrganizationId, SettingsJson, Optional, String)} with no separate download configuration. */
  public OrganizationStatus register(OrganizationId organization, SettingsJson upload, String actor) {
    return register(organization, upload, Optional.empty(), actor);
  }

  /** Verifies the organization's configurations now (e.g. "I applied the policy") and stores what changed. */
  public OrganizationStatus check(OrganizationId organization) {
    return activator.status(activator.check(organization));
  }

  /**
   * Removes the organization's own storage: new uploads go to the default storage again; binaries
   * stored there stay readable through the retired configuration until it is forgotten.
   */
  public OrganizationStatus remove(OrganizationId organization, String actor) {
    return activator.status(activator.remove(organization, actor));
  }

  /** Forgets a retired storage: binaries still there can no longer be read through the library. */
  public OrganizationStatus forgetRetired(OrganizationId organization, BackendInstanceId storage, String actor) {
    return activator.status(activator.forgetRetired(organization, storage, actor));
  }

  /** Allows (or stops allowing) uploads to the default storage while the organization's own is degraded. */
  public OrganizationStatus allowFallback(OrganizationId organization, boolean allowed, String actor) {
    return activator.status(activator.allowFallback(organization, allowed, actor));
  }

  /** The organization's status as stored now, for an admin page ({@link OrganizationStatus#toJson()}). */
  public OrganizationStatus status(OrganizationId organization) {
    return activator.status(organization);
  }

  /** The organizations with a stored state. */
  public List<OrganizationId> organizations() {
    return store.organizations();
  }

  /**
   * Runs the checks that are due now on the calling thread. Only for a service built with {@link
   * Builder#scheduled(boolean) scheduled(false)} (tests moving a manual clock); the schedule does
   * it otherwise.
   *
   * @return how many checks ran
   */
  public int runDueChecks() {
    return activator.runDueChecks();
  }

  /**
   * Closes everything, in order: the schedule (waiting for checks in progress), the organizations'
   * backends, the default storage if it was built here from settings (one handed over built stays
   * its owner's, as an HTTP client handed to an SDK client does), the state store, then what {@link
   * Builder#closeAfterwards} names (the HTTP client of the platform's S3 services, say). Idempotent;
   * a failure to close one is logged and the others are closed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> order = new ArrayList<>(List.of(activator, activationMeters));
    if (changes != null) {
      order.add(changes);
    }
    order.add(pool);
    if (ownsDefaultStorage) {
      order.add(defaultStorage);
    }
    order.add(store);
    order.addAll(closeAfterwards);
    for (AutoCloseable c : order) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", c, e);
      }
    }
  }

  /** Builds {@link BinaryBackends}; not thread-safe. */
  public static final class Builder {
    private OrganizationStateStore store;
    private NoteStore noteStore;
    private BinaryBackend defaultStorage;
    private BackendSettings defaultStorageSettings;
    private BackendContext context = BackendContext.defaults();
    private ActivationPolicy policy = ActivationPolicy.defaults();
    private BinaryBackendRegistry registry;
    private Duration checkTick = Duration.ofSeconds(1);
    private int parallelChecks = 4;
    private boolean scheduled = true;
    private Duration closeGrace = BackendPool.DEFAULT_CLOSE_GRACE;
    private Instrumentation instrumentation;
    private Duration censusEvery = Duration.ofMinutes(1);
    private String instanceName;
    private StorageQuotas quotas;
    private final List<ActivationListener> listeners = new ArrayList<>();
    private final List<AutoCloseable> closeAfterwards = new ArrayList<>();

    private Builder() {}

    /**
     * Where organizations' states are kept (required); closed by {@link BinaryBackends#close()}. The
     * stores the library ships keep backends' notes too ({@link NoteStore}), and those are used
     * unless {@link #noteStore} says otherwise.
     */
    public Builder stateStore(OrganizationStateStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Where backends' shared notes are kept, if not in the state store (which must then be given
     * one); ignored when the context provides {@link SharedNotes} itself.
     */
    public Builder noteStore(NoteStore notes) {
      this.noteStore = Objects.requireNonNull(notes, "notes");
      return this;
    }

    /**
     * The platform's default storage, built already: it stays the caller's, to close after {@link
     * BinaryBackends#close()} (or name it in {@link #closeAfterwards}).
     */
    public Builder defaultStorage(BinaryBackend backend) {
      this.defaultStorage = Objects.requireNonNull(backend, "backend");
      this.defaultStorageSettings = null;
      return this;
    }

    /** The platform's default storage, built from these settings by the registry, with the context; closed by {@link BinaryBackends#close()}. */
    public Builder defaultStorage(BackendSettings settings) {
      this.defaultStorageSettings = Objects.requireNonNull(settings, "settings");
      this.defaultStorage = null;
      return this;
    }

    /** The platform services and the clock every backend uses ({@link BackendContext#defaults()} unless set). */
    public Builder context(BackendContext context) {
      this.context = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * Where the library reports its meters ({@link Instrumentation#none()} unless set, or unless the
     * {@link #context} has one): the operations of every backend by type and outcome, the activation,
     * and what backends report of themselves. With Micrometer: {@code
     * .instrumentation(MicrometerInstrumentation.of(meterRegistry))} from {@code
     * binary-backend-micrometer}. Set here, it is the context's too.
     */
    public Builder instrumentation(Instrumentation instrumentation) {
      this.instrumentation = Objects.requireNonNull(instrumentation, "instrumentation");
      return this;
    }

    /**
     * How often the activation gauges count the organizations' states again from the state store (1
     * minute unless set), at most: between counts they follow every state this instance reads or
     * stores. Each count reads every organization's state and next check once.
     */
    public Builder censusEvery(Duration every) {
      this.censusEvery = Objects.requireNonNull(every, "every");
      return this;
    }

    /** Which types organizations may register, and when checks run ({@link ActivationPolicy#defaults()} unless set). */
    public Builder policy(ActivationPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The providers backends are built by ({@link BinaryBackendRegistry#installed()} unless set). */
    public Builder registry(BinaryBackendRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** How often the schedule looks for due checks (1 s) and how many organizations it checks at once (4). */
    public Builder checks(Duration tick, int parallel) {
      this.checkTick = Objects.requireNonNull(tick, "tick");
      this.parallelChecks = parallel;
      return this;
    }

    /**
     * Whether checks run on a schedule (the default); without, they run on demand ({@link
     * BinaryBackends#check}) and by {@link BinaryBackends#runDueChecks()}: for tests on a manual clock.
     */
    public Builder scheduled(boolean scheduled) {
      this.scheduled = scheduled;
      return this;
    }

    /** How long a replaced configuration's backend stays open for reads in flight (6 hours unless set). */
    public Builder closeGrace(Duration grace) {
      this.closeGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /**
     * This instance's name in the check leases (the host, the process and a random part unless
     * set): 1 to 200 printable characters.
     */
    public Builder instanceName(String name) {
      this.instanceName = name;
      return this;
    }

    /**
     * Per-organization limits on the default storage (none unless set): every put and direct upload
     * start there is checked against them, and usage is counted in the shared notes, so every
     * instance sharing the state store counts the same uploads. Organizations' own storage is theirs
     * and never limited.
     */
    public Builder quotas(StorageQuotas quotas) {
      this.quotas = Objects.requireNonNull(quotas, "quotas");
      return this;
    }

    /** Told of every transition an organization's state goes through (an audit log, metrics). */
    public Builder listener(ActivationListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Closed by {@link BinaryBackends#close()} after everything else, in the order given. */
    public Builder closeAfterwards(AutoCloseable resource) {
      this.closeAfterwards.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /**
     * Wires everything and, unless {@link #scheduled(boolean) scheduled(false)}, starts the checks of
     * every organization the store holds.
     *
     * @throws InvalidConfigurationException if the state store or the default storage is missing,
     *     or the check settings are out of range
     */
    public BinaryBackends build() {
      List<Violation> v = new ArrayList<>();
      if (store == null) {
        v.add(Violation.missing("stateStore", "where organizations' states are kept, e.g. JsonFileStateStore.open(...)"));
      }
      if (defaultStorage == null && defaultStorageSettings == null) {
        v.add(Violation.missing("defaultStorage", "the platform's default storage: its settings or its backend"));
      }
      if (checkTick.compareTo(Duration.ofMillis(10)) < 0 || checkTick.compareTo(Duration.ofHours(1)) > 0) {
        v.add(Violation.of("checks.tick", checkTick.toString(), "10 milliseconds to 1 hour"));
      }
      if (instanceName != null && !instanceName.matches("[\\x21-\\x7e]{1,200}")) {
        v.add(Violation.of("instanceName", instanceName, "1 to 200 printable ASCII characters, no spaces"));
      }
      if (censusEvery.compareTo(Duration.ofSeconds(1)) < 0 || censusEvery.compareTo(Duration.ofHours(24)) > 0) {
        v.add(Violation.of("censusEvery", censusEvery.toString(), "1 second to 24 hours"));
      }
      if (parallelChecks < 1 || parallelChecks > 256) {
        v.add(Violation.of("checks.parallel", Integer.toString(parallelChecks), "1 to 256"));
      }
      NoteStore notes = noteStore != null ? noteStore : store instanceof NoteStore ? (NoteStore) store : null;
      if (store != null && notes == null && context.service(SharedNotes.class).isEmpty()) {
        v.add(Violation.missing("noteStore", "where backends' shared notes are kept: this state store ("
            + store.getClass().getSimpleName() + ") keeps none, and the context gives no SharedNotes"));
      }
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      if (registry == null) {
        registry = BinaryBackendRegistry.installed();
      }
      BackendContext measured = instrumentation == null ? context : context.toBuilder().instrumentation(instrumentation).build();
      BackendContext withNotes = measured.service(SharedNotes.class).isPresent() ? measured
          : measured.toBuilder().service(SharedNotes.class, notes.asSharedNotes()).build();
      BinaryBackend storage = defaultStorage != null ? defaultStorage : registry.create(defaultStorageSettings, withNotes);
      BinaryBackends built = new BinaryBackends(this, storage, withNotes);
      if (scheduled) {
        built.activator.start(checkTick, parallelChecks);
      }
      return built;
    }
  }
}
