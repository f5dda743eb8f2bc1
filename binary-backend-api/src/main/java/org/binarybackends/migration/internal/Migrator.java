package org.binarybackends.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ContentReadException;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.ServerSideCopy;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.internal.LogContext;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationPlan;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.migration.MigrationStatus.State;
import org.binarybackends.migration.Migrations;
import org.binarybackends.spi.SharedNotes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Migrations} over the entry point's backends and the shared notes.
 *
 * <p>Each source instance of an organization has three notes, under {@code migration/<id>} where
 * {@code <id>} is the first 16 hex digits of the SHA-256 of the instance: its status (JSON), its
 * cursor (the last key done, alone: a key may take the whole 1,024 characters of a note), and, once
 * complete, {@code moved/<id>}: the target instance. The organization has one lease,
 * {@code migration/lease} ({@code <holder> <source id> <until, epoch ms>}): one run at a time.
 * The cursor is an optimisation, not what keeps copies from repeating: a binary at the target with the
 * source's SHA-256 is skipped, so a run resumed from an older cursor (killed between two notes) copies
 * nothing twice.
 */
public final class Migrator implements Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Full passes after the first, for binaries uploaded or changed at the source meanwhile. */
  private static final int CATCH_UP_PASSES = 3;
  private static final long CHECKPOINT_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long MOVED_CACHE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** How many organizations with cached answers of {@link #movedTo} trigger a sweep of the expired ones. */
  private static final int MOVED_CACHE_SWEEP = 10_000;
  /** States a run resumes from its cursor. */
  private static final java.util.Set<State> UNFINISHED = java.util.EnumSet.of(State.RUNNING, State.STOPPED,
      State.FAILED, State.CONFLICTS);

  private final BiFunction<OrganizationId, BackendInstanceId, BinaryBackend> backends;
  private final Function<OrganizationId, Optional<BackendInstanceId>> uploadTarget;
  private final SharedNotes notes;
  private final Clock clock;
  private final String instanceName;
  private final Recorder history;
  /** The answers of {@link #movedTo}, by organization (dropped whole when it changes elsewhere), then source. */
  private final ConcurrentHashMap<OrganizationId, ConcurrentHashMap<BackendInstanceId, Cached>> moved =
      new ConcurrentHashMap<>();

  /** Records a change in the organization's history (the activator's audit trail). */
  @FunctionalInterface
  public interface Recorder {
    void record(OrganizationId organization, String actor, String change, String reason);
  }

  private record Cached(Optional<BackendInstanceId> to, long until) {}

  /**
   * @param backends the backend of an instance of an organization (throws {@link
   *     InvalidInputException} for one that is not the organization's)
   * @param uploadTarget where the organization's uploads go now (empty while they are suspended)
   */
  public Migrator(BiFunction<OrganizationId, BackendInstanceId, BinaryBackend> backends,
      Function<OrganizationId, Optional<BackendInstanceId>> uploadTarget, SharedNotes notes, Clock clock,
      String instanceName, Recorder history) {
    this.backends = backends;
    this.uploadTarget = uploadTarget;
    this.notes = notes;
    this.clock = clock;
    this.instanceName = instanceName;
    this.history = history;
  }

  // ---- names and notes ----

  static String id(BackendInstanceId instance) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest((instance.type() + "\n" + instance.attributes())
          .getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JVM", e);
    }
  }

  private static String statusNote(BackendInstanceId from) {
    return "migration/" + id(from);
  }

  private static String cursorNote(BackendInstanceId from) {
    return statusNote(from) + "/cursor";
  }

  /** One lease per organization, whatever the source: at most one run moves its binaries at a time. */
  private static String leaseNote() {
    return "migration/lease";
  }

  private static String movedNote(BackendInstanceId from) {
    return "moved/" + id(from);
  }

  /** An instance as JSON, by its own Jackson mapping ({@code type} and {@code attributes}). */
  private static JsonNode instanceJson(BackendInstanceId id) {
    return JSON.valueToTree(id);
  }

  private static BackendInstanceId instanceOf(JsonNode n) throws IOException {
    return JSON.treeToValue(n, BackendInstanceId.class);
  }

  private String encode(MigrationStatus s) {
    ObjectNode n = JSON.createObjectNode();
    n.set("from", instanceJson(s.from()));
    n.set("to", instanceJson(s.to()));
    n.put("state", s.state().name()).put("copied", s.copied()).put("copiedBytes", s.copiedBytes())
        .put("skipped", s.skipped()).put("conflicts", s.conflicts()).put("failures", s.failures())
        .put("startedAt", s.startedAt().toString()).put("updatedAt", s.updatedAt().toString());
    s.completedAt().ifPresent(t -> n.put("completedAt", t.toString()));
    String withoutReason = n.toString();
    // the reason gets what the note has left (a key in a failure's reason may be long)
    int room = SharedNotes.MAX_VALUE - withoutReason.length() - 40;
    String reason = s.reason().length() <= room ? s.reason() : s.reason().substring(0, Math.max(0, room)) + "...";
    n.put("reason", reason);
    String out = n.toString();
    while (out.length() > SharedNotes.MAX_VALUE && !reason.isEmpty()) { // escapes made it longer
      reason = reason.substring(0, reason.length() / 2) + "...";
      n.put("reason", reason);
      out = n.toString();
    }
    return out;
  }

  private MigrationStatus decode(OrganizationId org, String text, Optional<ObjectKey> cursor) {
    try {
      JsonNode n = JSON.readTree(text);
      return new MigrationStatus(org, instanceOf(n.path("from")), instanceOf(n.path("to")),
          State.valueOf(n.path("state").asText()), cursor, n.path("copied").asLong(), n.path("copiedBytes").asLong(),
          n.path("skipped").asLong(), n.path("conflicts").asLong(), n.path("failures").asLong(),
          n.path("reason").asText(""), Instant.parse(n.path("startedAt").asText()),
          Instant.parse(n.path("updatedAt").asText()), n.hasNonNull("completedAt")
              ? Optional.of(Instant.parse(n.path("completedAt").asText())) : Optional.empty());
    } catch (IOException | RuntimeException e) {
      throw new BinaryBackendException("the migration note of organization " + org + " cannot be read: " + e, e);
    }
  }

  @Override
  public Optional<MigrationStatus> status(OrganizationId organization, BackendInstanceId from) {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(from, "from");
    Optional<String> text = notes.get(organization, statusNote(from));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<ObjectKey> cursor = notes.get(organization, cursorNote(from)).filter(c -> !c.isEmpty()).map(ObjectKey::of);
    MigrationStatus s = decode(organization, text.get(), cursor);
    if (s.state() == State.RUNNING && !held(organization, from)) {
      // its run was killed, or lost its lease: it resumes from here
      s = new MigrationStatus(s.organization(), s.from(), s.to(), State.STOPPED, s.cursor(), s.copied(), s.copiedBytes(),
          s.skipped(), s.conflicts(), s.failures(), "its run stopped without a word (killed?): run it again to resume",
          s.startedAt(), s.updatedAt(), s.completedAt());
    }
    return Optional.of(s);
  }

  @Override
  public Optional<BackendInstanceId> movedTo(OrganizationId organization, BackendInstanceId from) {
    ConcurrentHashMap<BackendInstanceId, Cached> known = moved.get(organization);
    Cached c = known == null ? null : known.get(from);
    long now = System.nanoTime();
    if (c == null || now - c.until() > 0) {
      Optional<BackendInstanceId> to = notes.get(organization, movedNote(from)).map(t -> {
        try {
          return instanceOf(JSON.readTree(t));
        } catch (IOException e) {
          throw new BinaryBackendException("the move note of organization " + organization + " cannot be read", e);
        }
      });
      c = new Cached(to, now + MOVED_CACHE_NANOS);
      if (moved.size() >= MOVED_CACHE_SWEEP) { // organizations not read for a while leave
        moved.values().removeIf(m -> {
          m.values().removeIf(e -> now - e.until() > 0);
          return m.isEmpty();
        });
      }
      moved.computeIfAbsent(organization, o -> new ConcurrentHashMap<>()).put(from, c);
    }
    return c.to();
  }

  /**
   * Another instance changed {@code organization}'s state (a move it completed is recorded in the
   * history, after its note): what is cached of its moves is read again at the next ask.
   */
  public void changedElsewhere(OrganizationId organization) {
    moved.remove(organization);
  }

  /** Forgets every cached answer of {@link #movedTo} (the change feed was lost for a while). */
  public void forgetMoves() {
    moved.clear();
  }

  /** Whether the move note {@code text} names {@code instance} as its target. */
  private static boolean movedNoteNames(String text, BackendInstanceId instance) {
    try {
      return instanceOf(JSON.readTree(text)).equals(instance);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  // ---- the lease ----

  /**
   * The holder of the organization's lease and the source its run moves ({@code <holder> <source id>}),
   * if it is live.
   */
  private Optional<String> lease(OrganizationId org) {
    return notes.get(org, leaseNote()).filter(this::live).map(v -> v.substring(0, v.lastIndexOf(' ')));
  }

  /** Whether the organization's live lease is a run moving {@code from}'s binaries. */
  private boolean held(OrganizationId org, BackendInstanceId from) {
    return lease(org).filter(l -> l.endsWith(" " + id(from))).isPresent();
  }

  private boolean live(String lease) {
    int space = lease.lastIndexOf(' ');
    try {
      return space > 0 && Long.parseLong(lease.substring(space + 1)) > clock.millis();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Takes (or renews) the organization's lease for {@code holder} moving {@code from}; false if another holds it. */
  private boolean hold(OrganizationId org, BackendInstanceId from, String holder, java.time.Duration leaseFor) {
    String mine = holder + " " + id(from) + " " + clock.instant().plus(leaseFor).toEpochMilli();
    Optional<String> after = notes.update(org, leaseNote(), cur -> cur.isEmpty() || !live(cur.get())
        || cur.get().startsWith(holder + " ") ? Optional.of(mine) : cur);
    return after.isPresent() && after.get().equals(mine);
  }

  private void release(OrganizationId org, BackendInstanceId from, String holder) {
    try {
      notes.update(org, leaseNote(), cur -> cur.isPresent() && cur.get().startsWith(holder + " ")
          ? Optional.empty() : cur);
    } catch (RuntimeException e) {
      LOG.warn("Releasing the migration lease of {} failed (it lapses by itself): {}", org, e.toString());
    }
  }

  // ---- plan ----

  private record Pair(BinaryBackend from, BinaryBackend to) {}

  private Pair backends(OrganizationId organization, BackendInstanceId from, BackendInstanceId to) {
    if (organization == null) {
      throw InvalidInputException.of("organization", null, "an organization id");
    }
    if (from == null || to == null) {
      throw InvalidInputException.of(from == null ? "from" : "to", null, "a storage instance of the organization");
    }
    if (from.equals(to)) {
      throw InvalidInputException.of("to", to.toString(), "another instance than the source " + from);
    }
    return new Pair(backends.apply(organization, from), backends.apply(organization, to));
  }

  private static Optional<StoredBinary> statIfThere(BinaryBackend b, OrganizationId org, ObjectKey key) {
    try {
      return Optional.of(b.stat(org, key));
    } catch (BinaryNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Refuses a move out of the storage the organization's uploads go to now: they would keep landing there. */
  private void refuseWhileUploadsGoTo(OrganizationId organization, BackendInstanceId from) {
    Optional<BackendInstanceId> uploads = uploadTarget.apply(organization);
    if (uploads.isPresent() && uploads.get().equals(from)) {
      throw InvalidInputException.of("from", from.toString(), "a storage the organization's uploads no longer go to:"
          + " they go there now; switch them first (register and activate the target, or remove its own storage)");
    }
  }

  @Override
  public MigrationPlan plan(OrganizationId organization, BackendInstanceId from, BackendInstanceId to) {
    Pair p = backends(organization, from, to);
    refuseWhileUploadsGoTo(organization, from);
    long copy = 0;
    long copyBytes = 0;
    long there = 0;
    long thereBytes = 0;
    long conflicts = 0;
    List<ObjectKey> conflictKeys = new java.util.ArrayList<>();
    try (var all = p.from().list(organization, "")) {
      for (ListedBinary b : (Iterable<ListedBinary>) all::iterator) {
        Optional<StoredBinary> source = statIfThere(p.from(), organization, b.key());
        if (source.isEmpty()) {
          continue; // deleted since it was listed
        }
        Optional<StoredBinary> target = statIfThere(p.to(), organization, b.key());
        if (target.isEmpty()) {
          copy++;
          copyBytes += source.get().size();
        } else if (target.get().sha256().equals(source.get().sha256())) {
          there++;
          thereBytes += source.get().size();
        } else {
          conflicts++;
          if (conflictKeys.size() < MigrationPlan.LISTED) {
            conflictKeys.add(b.key());
          }
        }
      }
    }
    return new MigrationPlan(organization, from, to, copy, copyBytes, there, thereBytes, conflicts, conflictKeys,
        p.to().serverSideCopyFrom(p.from()).isPresent());
  }

  // ---- run ----

  @Override
  public MigrationStatus run(OrganizationId organization, BackendInstanceId from, BackendInstanceId to,
      MigrationOptions options, MigrationListener listener) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    Pair p = backends(organization, from, to);
    refuseWhileUploadsGoTo(organization, from);
    Optional<MigrationStatus> before = status(organization, from);
    if (before.isPresent() && !before.get().to().equals(to) && before.get().state() != State.COMPLETED
        && before.get().state() != State.SOURCE_DELETED) {
      throw InvalidInputException.of("to", to.toString(), "the target of the unfinished move of " + from + ", "
          + before.get().to() + " (" + before.get().state() + "): run that one to its end first");
    }
    String holder = instanceName + "/" + UUID.randomUUID().toString().substring(0, 8);
    if (!hold(organization, from, holder, options.leaseFor())) {
      throw new BackendUnavailableException("another run moves organization " + organization + "'s binaries now ("
          + lease(organization).orElse("its lease just ended") + "; one at a time per organization): wait for it, or"
          + " for its lease to lapse if it was killed", true, null);
    }
    LogContext log = LogContext.of(organization, null);
    try {
      return new Run(organization, from, to, p, options, listener, holder, before).execute();
    } finally {
      release(organization, from, holder);
      log.close();
    }
  }

  /** One run: its passes, its checkpoints, its totals. */
  private final class Run {
    private final OrganizationId org;
    private final BackendInstanceId from;
    private final BackendInstanceId to;
    private final Pair backends;
    private final MigrationOptions options;
    private final MigrationListener listener;
    private final String holder;
    private final Instant startedAt;
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong copiedBytes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile String stopReason = "";
    /** Whether the run stopped because another took its lease: then it writes no more notes. */
    private volatile boolean lostLease;
    private volatile String failureReason = "";
    /** What this run copied, by key: a target holding one of these is its own copy, not a conflict. */
    private final Map<ObjectKey, Sha256Digest> ours = new ConcurrentHashMap<>();
    private final ByteRate rate;
    /** The target's copier from the source inside the storage, if it offers one; dropped once refused. */
    private volatile Optional<ServerSideCopy> inStorage;
    private Optional<ObjectKey> resumeAfter;
    private volatile Optional<ObjectKey> cursor = Optional.empty();
    private long lastCheckpoint = System.nanoTime();
    private boolean firstPass = true;

    Run(OrganizationId org, BackendInstanceId from, BackendInstanceId to, Pair backends, MigrationOptions options,
        MigrationListener listener, String holder, Optional<MigrationStatus> before) {
      this.org = org;
      this.from = from;
      this.to = to;
      this.backends = backends;
      this.options = options;
      this.listener = listener;
      this.holder = holder;
      this.rate = options.bytesPerSecond() > 0 ? new ByteRate(options.bytesPerSecond()) : null;
      this.inStorage = backends.to().serverSideCopyFrom(backends.from());
      boolean resuming = before.isPresent() && before.get().to().equals(to)
          && UNFINISHED.contains(before.get().state());
      this.resumeAfter = resuming ? before.get().cursor() : Optional.empty();
      this.startedAt = resuming ? before.get().startedAt() : clock.instant();
      if (resuming) {
        copied.set(before.get().copied());
        copiedBytes.set(before.get().copiedBytes());
        skipped.set(before.get().skipped());
      }
      this.cursor = resumeAfter;
    }

    MigrationStatus execute() {
      LOG.info("Moving the binaries of {} from {} to {}{}, copying {}", org, from, to, resumeAfter.map(k -> ", resuming"
          + " after " + k.value()).orElse(""), inStorage.isPresent() ? "inside the storage" : "through this process");
      checkpoint(State.RUNNING, resumeAfter.isPresent() ? "resumed" : "started", Optional.empty());
      ExecutorService copiers = Executors.newFixedThreadPool(options.concurrency(), r -> {
        Thread t = new Thread(r, "bb-migrate-" + org.value());
        t.setDaemon(true);
        return t;
      });
      // the lease is renewed on a clock of its own, not as binaries finish: one copy may take longer than it
      java.util.concurrent.ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bb-migrate-lease-" + org.value());
        t.setDaemon(true);
        return t;
      });
      long every = Math.max(50, options.leaseFor().toMillis() / 3);
      renewer.scheduleWithFixedDelay(this::renewLease, every, every, TimeUnit.MILLISECONDS);
      try {
        long copiedInPass = pass(copiers, resumeAfter);
        firstPass = false;
        for (int i = 0; i < CATCH_UP_PASSES && !stop.get() && failures.get() == 0
            && (copiedInPass > 0 || resumeAfter.isPresent()); i++) {
          // binaries uploaded, changed or before the cursor of a resumed run: one more pass from the start
          resumeAfter = Optional.empty();
          conflicts.set(0);
          copiedInPass = pass(copiers, Optional.empty());
        }
        if (!stop.get() && failures.get() == 0 && copiedInPass > 0) {
          stop("the source kept changing through " + (CATCH_UP_PASSES + 1) + " passes: run it again once it is quiet");
        }
      } finally {
        renewer.shutdownNow();
        copiers.shutdownNow();
      }
      if (stop.get() && lostLease) {
        // another run holds the move now: its notes are its own, this one writes none
        LOG.warn("The move of {} from {} stopped: {}", org, from, stopReason);
        return new MigrationStatus(org, from, to, State.STOPPED, cursor, copied.get(), copiedBytes.get(), skipped.get(),
            conflicts.get(), failures.get(), stopReason, startedAt, clock.instant(), Optional.empty());
      }
      if (failures.get() > 0) {
        return checkpoint(State.FAILED, failures.get() + " binaries could not be copied; the last: " + failureReason,
            Optional.empty());
      }
      if (stop.get()) {
        return checkpoint(State.STOPPED, stopReason, Optional.empty());
      }
      if (conflicts.get() > 0) {
        return checkpoint(State.CONFLICTS, conflicts.get() + " binaries are at the target with another content (see"
            + " the plan): delete or move them there, then run again", Optional.empty());
      }
      String target = instanceJson(to).toString();
      if (target.length() > SharedNotes.MAX_VALUE) {
        return checkpoint(State.FAILED, "the target instance's id is too long for a note (" + target.length()
            + " characters): the move cannot be recorded", Optional.empty());
      }
      // the move first, then its status: a failure between leaves reads going to the verified copies and
      // a run to finish (it finds everything there), never a completed status without its move
      notes.update(org, movedNote(from), cur -> Optional.of(target));
      // a round trip (X to Y, then Y back to X): X holds its binaries again, so its locations read there
      notes.update(org, movedNote(to), cur -> cur.filter(t -> !movedNoteNames(t, from)));
      moved.remove(org); // both instances' answers changed
      MigrationStatus complete = checkpoint(State.COMPLETED, "every binary is at the target, verified; reads of "
          + from + " go to " + to, Optional.of(clock.instant()));
      history.record(org, options.actor(), "moved the binaries of " + from + " to " + to, complete.copied()
          + " copied (" + complete.copiedBytes() + " bytes), " + complete.skipped() + " already there; locations in "
          + from + " now read from " + to);
      return complete;
    }

    /** Renews the run's lease; stops the run if another holds it now (this one's lapsed meanwhile). */
    private void renewLease() {
      try {
        if (!hold(org, from, holder, options.leaseFor())) {
          lostLease = true;
          stop("another run took the move over (this one's lease lapsed)");
        }
      } catch (RuntimeException e) {
        // the notes unreachable for a moment: the next renewal tries again, well before the lease lapses
        LOG.warn("Renewing the migration lease of {} failed: {}", org, e.toString());
      }
    }

    private void stop(String why) {
      if (stop.compareAndSet(false, true)) {
        stopReason = why;
      }
    }

    /** One pass over the source's keys after {@code after}; how many it copied. */
    private long pass(ExecutorService copiers, Optional<ObjectKey> after) {
      long before = copied.get();
      Semaphore slots = new Semaphore(options.concurrency());
      ArrayDeque<Slot> inOrder = new ArrayDeque<>();
      Optional<ListRequest> page = Optional.of(after.map(k -> ListRequest.builder().startAfter(k)).orElse(
          ListRequest.builder()).pageSize(ListRequest.MAX_PAGE_SIZE).build());
      try {
        while (page.isPresent() && !stop.get() && failures.get() == 0) {
          ListPage listed = backends.from().list(org, page.get());
          for (ListedBinary b : listed.binaries()) {
            if (stop.get() || failures.get() > 0) {
              break;
            }
            if (Thread.currentThread().isInterrupted()) {
              stop("interrupted");
              break;
            }
            slots.acquire();
            Slot slot = new Slot(b.key());
            synchronized (inOrder) {
              inOrder.add(slot);
            }
            copiers.execute(() -> {
              LogContext log = LogContext.of(org, null);
              try {
                slot.finished = handle(b.key());
              } catch (RuntimeException e) {
                if (!stop.get()) { // a stop interrupts the copies in flight: what they throw then is no failure
                  failed(b.key(), "unexpected: " + e);
                  LOG.warn("Copying {} of {} failed unexpectedly", b.key(), org, e);
                }
              } finally {
                slot.done = true;
                slots.release();
                advance(inOrder);
                log.close();
              }
            });
          }
          page = listed.next();
        }
        slots.acquire(options.concurrency()); // the copies in flight end
        slots.release(options.concurrency());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop("interrupted");
        copiers.shutdownNow(); // the copies in flight are cut short: nothing half-written is visible
        slots.acquireUninterruptibly(options.concurrency());
        slots.release(options.concurrency());
      } catch (BinaryBackendException e) {
        stop("listing the source failed: " + e.getMessage());
      }
      return copied.get() - before;
    }

    /** Moves the cursor over the keys done in order; checkpoints now and then. */
    private void advance(ArrayDeque<Slot> inOrder) {
      synchronized (inOrder) {
        Slot head;
        while ((head = inOrder.peek()) != null && head.done && head.finished) {
          inOrder.poll();
          if (firstPass) {
            cursor = Optional.of(head.key);
          }
        }
        long now = System.nanoTime();
        if (now - lastCheckpoint >= CHECKPOINT_NANOS && !stop.get()) {
          lastCheckpoint = now;
          checkpoint(State.RUNNING, "running", Optional.empty());
        }
      }
    }

    private MigrationStatus checkpoint(State state, String reason, Optional<Instant> completedAt) {
      MigrationStatus s = new MigrationStatus(org, from, to, state, cursor, copied.get(), copiedBytes.get(),
          skipped.get(), conflicts.get(), failures.get(), reason, startedAt, clock.instant(), completedAt);
      Optional<ObjectKey> c = cursor;
      // the cursor first: a status ahead of its cursor only makes a resumed run look again at binaries
      // it will find at the target already
      notes.update(org, cursorNote(from), cur -> c.map(ObjectKey::value));
      notes.update(org, statusNote(from), cur -> Optional.of(encode(s)));
      try {
        listener.progress(s);
      } catch (RuntimeException e) {
        LOG.warn("A migration listener failed", e);
      }
      return s;
    }

    private void failed(ObjectKey key, String why) {
      failures.incrementAndGet();
      failureReason = key.value() + ": " + why;
      tell(() -> listener.failed(key, why));
    }

    private void tell(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("A migration listener failed", e);
      }
    }

    /**
     * One binary: skipped, copied and verified, in conflict, or failed.
     *
     * @return whether it was handled to its end: false if the run stopped meanwhile, or it failed
     */
    private boolean handle(ObjectKey key) {
      String last = "";
      for (int attempt = 1; attempt <= options.attempts(); attempt++) {
        if (stop.get() || Thread.currentThread().isInterrupted()) {
          return false;
        }
        try {
          Attempt a = attempt(key);
          if (a.done()) {
            return true;
          }
          last = a.again();
        } catch (BackendUnavailableException e) {
          last = e.getMessage(); // a stat or a delete failed: again, if that may help
          if (!e.retryable()) {
            break;
          }
        } catch (BinaryBackendException e) {
          last = e.getMessage();
          break;
        }
      }
      if (stop.get() || Thread.currentThread().isInterrupted()) {
        return false; // cut short by the stop, not failed
      }
      String why = last.isEmpty() ? "no attempt succeeded" : last;
      failed(key, why);
      return false;
    }

    /** What one attempt came to: done (the binary handled), or to be tried again, and why. */
    private record Attempt(boolean done, String again) {
      static final Attempt DONE = new Attempt(true, "");

      static Attempt again(String why) {
        return new Attempt(false, why);
      }
    }

    /**
     * One attempt at one binary.
     *
     * @throws BinaryBackendException from a stat, a read or a put; {@link #handle} decides whether to
     *     try again
     */
    private Attempt attempt(ObjectKey key) {
      Optional<StoredBinary> source = statIfThere(backends.from(), org, key);
      if (source.isEmpty()) {
        if (firstPass) {
          skipped.incrementAndGet();
        }
        tell(() -> listener.skipped(key, "deleted at the source"));
        return Attempt.DONE;
      }
      Optional<StoredBinary> target = statIfThere(backends.to(), org, key);
      if (target.isPresent()) {
        Sha256Digest there = target.get().sha256();
        if (there.equals(source.get().sha256())) {
          if (firstPass && !ours.containsKey(key)) {
            skipped.incrementAndGet();
          }
          tell(() -> listener.skipped(key, "at the target already, with the same SHA-256"));
          return Attempt.DONE;
        }
        if (!there.equals(ours.get(key))) {
          conflicts.incrementAndGet();
          tell(() -> listener.conflict(key, "at the target with SHA-256 " + there.hex() + ", the source has "
              + source.get().sha256().hex()));
          return Attempt.DONE;
        }
        // this run's own copy of an older version: the newer one wins
      }
      Optional<ServerSideCopy> server = inStorage;
      if (server.isPresent()) {
        Optional<Attempt> a = copyInStorage(server.get(), key, source.get());
        if (a.isPresent()) {
          return a.get();
        }
      }
      Sha256Digest expected;
      StoredBinary copy;
      try (BinaryContent content = backends.from().read(org, key)) {
        expected = content.binary().sha256();
        InputStream in = rate == null ? content.stream() : rate.limit(content.stream());
        copy = backends.to().put(org, key, in, PutOptions.builder().expectedSha256(expected)
            .contentLength(content.binary().size()).build());
      } catch (BinaryNotFoundException e) {
        return Attempt.again("deleted between its stat and its read"); // the next attempt says so
      } catch (IntegrityException | ContentReadException e) {
        // corrupted or cut on the way: nothing was stored; again
        LOG.info("Copying {} of {}: {}", key.value(), org, e.getMessage());
        return Attempt.again(e.getMessage());
      }
      return afterCopy(key, expected, copy);
    }

    /**
     * One attempt copying inside the storage; empty if the storage refused it (the identity may not
     * read the source after all): then this run copies through itself from now on.
     */
    private Optional<Attempt> copyInStorage(ServerSideCopy server, ObjectKey key, StoredBinary source) {
      StoredBinary copy;
      try {
        if (rate != null) {
          rate.took(source.size()); // the limit holds for the bytes the storage copies too
        }
        copy = server.copy(org, key, source.sha256());
      } catch (java.io.InterruptedIOException e) {
        Thread.currentThread().interrupt();
        return Optional.of(Attempt.again("interrupted"));
      } catch (AccessDeniedException e) {
        if (inStorage.isPresent()) {
          inStorage = Optional.empty();
          LOG.warn("Copying the binaries of {} inside the storage was refused ({}); copying through this process"
              + " instead", org, e.getMessage());
        }
        return Optional.empty();
      } catch (BinaryNotFoundException e) {
        return Optional.of(Attempt.again("deleted between its stat and its copy")); // the next attempt says so
      } catch (IntegrityException e) {
        // changed at the source meanwhile, or the copy did not verify (and was removed): again
        LOG.info("Copying {} of {} inside the storage: {}", key.value(), org, e.getMessage());
        return Optional.of(Attempt.again(e.getMessage()));
      }
      return Optional.of(afterCopy(key, source.sha256(), copy));
    }

    /** After a verified copy: the source looked at again (deleted or changed meanwhile), the copy counted. */
    private Attempt afterCopy(ObjectKey key, Sha256Digest expected, StoredBinary copy) {
      ours.put(key, expected);
      // the source after the copy: deleted meanwhile, or changed (the newer version wins)
      Optional<StoredBinary> after = statIfThere(backends.from(), org, key);
      if (after.isEmpty()) {
        deleteOurCopy(key, expected);
        if (firstPass) {
          skipped.incrementAndGet();
        }
        tell(() -> listener.skipped(key, "deleted at the source during its copy"));
        return Attempt.DONE;
      }
      if (!after.get().sha256().equals(expected)) {
        return Attempt.again("changed at the source during its copy");
      }
      copied.incrementAndGet();
      copiedBytes.addAndGet(copy.size());
      tell(() -> listener.copied(key, copy));
      return Attempt.DONE;
    }

    private void deleteOurCopy(ObjectKey key, Sha256Digest expected) {
      Optional<StoredBinary> t = statIfThere(backends.to(), org, key);
      if (t.isPresent() && t.get().sha256().equals(expected)) {
        backends.to().delete(org, key); // not resurrected at the target
      }
    }
  }

  private static final class Slot {
    final ObjectKey key;
    volatile boolean done;
    /** Whether it was handled to its end (not cut short by a stop, not failed): the cursor may pass it. */
    volatile boolean finished;

    Slot(ObjectKey key) {
      this.key = key;
    }
  }

  /**
   * The bytes read from the source, over all copies, held to a rate: each read waits until the bytes
   * so far are due. (Written here: the JDK has no rate limiter, and one pacing reads is a few lines.)
   */
  private static final class ByteRate {
    private final long perSecond;
    private final long start = System.nanoTime();
    private long total;

    ByteRate(long perSecond) {
      this.perSecond = perSecond;
    }

    void took(long bytes) throws java.io.InterruptedIOException {
      long due;
      synchronized (this) {
        total += bytes;
        due = start + (long) (total * 1e9 / perSecond);
      }
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
        if (Thread.currentThread().isInterrupted()) {
          throw new java.io.InterruptedIOException("the migration was stopped");
        }
      }
    }

    InputStream limit(InputStream in) {
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            took(1);
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, Math.min(len, 64 << 10));
          if (n > 0) {
            took(n);
          }
          return n;
        }
      };
    }
  }

  // ---- deleting the originals ----

  @Override
  public long deleteSource(OrganizationId organization, BackendInstanceId from, boolean dryRun, String actor,
      MigrationListener listener) {
    if (actor == null || actor.isBlank()) {
      throw InvalidInputException.of("actor", actor, "who asks, for the audit trail");
    }
    Objects.requireNonNull(listener, "listener");
    MigrationStatus s = status(organization, Objects.requireNonNull(from, "from")).orElseThrow(() ->
        InvalidInputException.of("from", from.toString(), "a storage whose binaries were moved (no move of it was"
            + " started)"));
    if (s.state() != State.COMPLETED && s.state() != State.SOURCE_DELETED) {
      throw InvalidInputException.of("from", from.toString(), "a storage whose move completed; this one's is "
          + s.state() + ": " + s.reason());
    }
    Instant mayFrom = s.completedAt().orElseThrow().plus(SIGNED_URLS_OUTLIVE);
    if (clock.instant().isBefore(mayFrom)) {
      throw InvalidInputException.of("from", from.toString(), "a storage moved at least " + SIGNED_URLS_OUTLIVE.toDays()
          + " days ago, so that no URL it signed still works: this one's originals may be deleted from " + mayFrom);
    }
    Pair p = backends(organization, from, s.to());
    long deleted = 0;
    try (var all = p.from().list(organization, "")) {
      for (ListedBinary b : (Iterable<ListedBinary>) all::iterator) {
        Optional<StoredBinary> source = statIfThere(p.from(), organization, b.key());
        Optional<StoredBinary> target = statIfThere(p.to(), organization, b.key());
        if (source.isEmpty()) {
          continue;
        }
        if (target.isEmpty() || !target.get().sha256().equals(source.get().sha256())) {
          listener.skipped(b.key(), "kept: not at the target with the same SHA-256 (uploaded or changed after the move)");
          continue;
        }
        if (!dryRun) {
          p.from().delete(organization, b.key());
        }
        deleted++;
      }
    }
    if (!dryRun) {
      long n = deleted;
      notes.update(organization, statusNote(from), cur -> Optional.of(encode(new MigrationStatus(organization, from,
          s.to(), State.SOURCE_DELETED, s.cursor(), s.copied(), s.copiedBytes(), s.skipped(), s.conflicts(),
          s.failures(), n + " originals deleted from the source", s.startedAt(), clock.instant(), s.completedAt()))));
      history.record(organization, actor, "deleted the originals of " + from, n + " binaries also at " + s.to()
          + " deleted from " + from + "; its locations keep reading from " + s.to());
    }
    return deleted;
  }

  @Override
  public String toString() {
    return "Migrations{" + instanceName + "}";
  }
}
