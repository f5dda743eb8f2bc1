package org.binarybackends.quota.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PresignedPart;
import org.binarybackends.PutOptions;
import org.binarybackends.QuotaExceededException;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.binarybackends.VerificationReport;
import org.binarybackends.quota.QuotaUsage;
import org.binarybackends.quota.StorageQuota;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.spi.SharedNotes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default storage with quotas: before a put's bytes are written they are reserved in the
 * organization's {@link QuotaLedger} by compare-and-set, and the put is refused with {@link
 * QuotaExceededException} if the quota does not allow them; after it they are committed as stored
 * (an overwrite counting the difference in size) or released. A put of declared length reserves it
 * at once; one of unknown length reserves as it streams, in growing steps. An instance's puts in
 * flight share one reservation renewed while bytes flow, so a crashed instance's reservation lapses
 * after {@link StorageQuotas#reservationTtl()}; a direct upload holds one of its own from its start
 * to its completion or abort, on whichever instance.
 *
 * <p>What the ledger does not see exactly — a delete or an overwrite racing another on the same key,
 * a ledger write failing after the bytes were stored — {@link #reconcile} puts right from a listing;
 * an organization's first counted operation does it too. Every other call passes through.
 * Thread-safe.
 */
public final class QuotaGuard implements BinaryBackend {
  private static final Logger LOG = LoggerFactory.getLogger(QuotaGuard.class);
  /** The smallest growth of a streaming put's reservation: one ledger write per 8 MiB at most. */
  static final long STEP = 8L << 20;

  private final BinaryBackend storage;
  private final StorageQuotas quotas;
  private final SharedNotes notes;
  private final Clock clock;
  /** This guard's reservation id for the puts it streams: unique per process and start. */
  private final String instanceReservation;
  /** What this instance's puts in flight hold, per organization: re-reserved if the shared reservation lapsed. */
  private final ConcurrentHashMap<OrganizationId, long[]> inFlight = new ConcurrentHashMap<>();
  private final DirectUploads directUploads;

  public QuotaGuard(BinaryBackend storage, StorageQuotas quotas, SharedNotes notes, Clock clock) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.quotas = Objects.requireNonNull(quotas, "quotas");
    this.notes = Objects.requireNonNull(notes, "notes");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.instanceReservation = "p" + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong()
        & Long.MAX_VALUE, 36);
    this.directUploads = storage.directUploads().map(Direct::new).orElse(null);
  }

  /** The storage it guards. */
  public BinaryBackend storage() {
    return storage;
  }

  private Optional<StorageQuota> quotaOf(OrganizationId organization) {
    if (organization == null) {
      throw InvalidInputException.of("organization", null, "an organization id");
    }
    return Objects.requireNonNull(quotas.of(organization), "StorageQuotas.of returned null");
  }

  // ---- the ledger ----

  private QuotaLedger read(OrganizationId organization, Optional<String> note) {
    try {
      return QuotaLedger.parse(note.orElseThrow()).withoutExpired(clock.instant());
    } catch (QuotaLedger.Unreadable e) {
      throw new BackendUnavailableException("the quota ledger of organization " + organization.value() + " in the"
          + " shared notes (" + QuotaLedger.NOTE + ") is unreadable: " + e.getMessage() + "; reconcile it"
          + " (BinaryBackends.reconcileQuota) to count its binaries again", false, null);
    }
  }

  /** Changes the organization's ledger by {@code change} in one compare-and-set; the ledger must exist. */
  private QuotaLedger update(OrganizationId organization, UnaryOperator<QuotaLedger> change) {
    return update(organization, change, false);
  }

  /** The organization has no ledger yet: it is counted from a listing, then the change applied. */
  private static final class NoLedger extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoLedger() {
      super(null, null, false, false);
    }
  }

  /**
   * {@link #update(OrganizationId, UnaryOperator)}; with {@code countFirst}, an organization without
   * a ledger is counted from a listing first (a reservation's first write reads the note once, not
   * twice), else its ledger starts empty (a commit or release after an offboarding removed it).
   */
  private QuotaLedger update(OrganizationId organization, UnaryOperator<QuotaLedger> change, boolean countFirst) {
    try {
      return write(organization, change, countFirst);
    } catch (NoLedger e) {
      count(organization, false);
      return write(organization, change, false);
    }
  }

  private QuotaLedger write(OrganizationId organization, UnaryOperator<QuotaLedger> change, boolean countFirst) {
    QuotaLedger[] kept = new QuotaLedger[1];
    notes.update(organization, QuotaLedger.NOTE, v -> {
      if (v.isEmpty() && countFirst) {
        throw new NoLedger();
      }
      QuotaLedger next = change.apply(v.isPresent() ? read(organization, v) : QuotaLedger.stored(0, 0));
      String text = next.encode();
      if (text.length() > SharedNotes.MAX_VALUE) {
        throw new BackendUnavailableException("organization " + organization.value() + " has as many uploads in flight"
            + " as its quota ledger holds (" + next.usage(organization, StorageQuota.bytes(0)).uploadsInFlight()
            + " reservations); retry once some have completed or been aborted", true, null);
      }
      kept[0] = next;
      return Optional.of(text);
    });
    return kept[0];
  }

  /** The organization's ledger, counted from a listing first if it has none yet. */
  private QuotaLedger ledger(OrganizationId organization) {
    Optional<String> note = notes.get(organization, QuotaLedger.NOTE);
    return note.isPresent() ? read(organization, note) : count(organization, false);
  }

  /**
   * Counts the organization's binaries by listing them, and keeps that as stored (the reservations
   * of uploads in flight stay). {@code overwrite} false: only if no ledger appeared meanwhile.
   */
  private QuotaLedger count(OrganizationId organization, boolean overwrite) {
    long[] total = new long[2];
    try (java.util.stream.Stream<ListedBinary> all = storage.list(organization, "")) {
      all.forEach(b -> {
        total[0] += b.size();
        total[1]++;
      });
    }
    QuotaLedger[] kept = new QuotaLedger[1];
    notes.update(organization, QuotaLedger.NOTE, v -> {
      QuotaLedger before;
      try {
        before = v.map(t -> QuotaLedger.parse(t).withoutExpired(clock.instant())).orElse(null);
      } catch (QuotaLedger.Unreadable e) {
        LOG.warn("{}: the quota ledger was unreadable ({}); counted again from a listing", organization, e.getMessage());
        before = null;
      }
      kept[0] = before == null ? QuotaLedger.stored(total[0], total[1])
          : overwrite ? before.reconciled(total[0], total[1]) : before;
      return Optional.of(kept[0].encode());
    });
    return kept[0];
  }

  /**
   * Counts the organization's binaries again from a listing and keeps that as its usage (uploads in
   * flight keep their reservations); empty if it has no quota.
   */
  public Optional<QuotaUsage> reconcile(OrganizationId organization) {
    Optional<StorageQuota> quota = quotaOf(organization);
    return quota.map(q -> count(organization, true).usage(organization, q));
  }

  /** The organization's usage as the ledger holds it; empty if it has no quota. */
  public Optional<QuotaUsage> usage(OrganizationId organization) {
    Optional<StorageQuota> quota = quotaOf(organization);
    return quota.map(q -> ledger(organization).usage(organization, q));
  }

  /** The size of the binary under {@code key}, or -1: what a put there replaces. */
  private long sizeOf(OrganizationId organization, ObjectKey key) {
    try {
      return storage.stat(organization, key).size();
    } catch (BinaryNotFoundException e) {
      return -1;
    }
  }

  private long expiry(Duration ttl) {
    return clock.instant().plus(ttl).getEpochSecond();
  }

  // ---- puts ----

  /**
   * What one put holds of this instance's reservation: reserved before bytes are written, grown as
   * they stream, renewed while they flow, then committed or released, each a ledger write under the
   * organization's lock in this instance (so that its in-flight total and the ledger agree).
   */
  private final class PutReservation {
    final OrganizationId organization;
    final StorageQuota quota;
    final long[] total;
    long bytes;
    long binaries;
    Instant renewed;
    QuotaExceededException refused;

    PutReservation(OrganizationId organization, StorageQuota quota) {
      this.organization = organization;
      this.quota = quota;
      this.total = inFlight.computeIfAbsent(organization, o -> new long[2]);
    }

    void reserve(long moreBytes, long moreBinaries) {
      synchronized (total) {
        long expires = expiry(quotas.reservationTtl());
        update(organization, l -> l.reservation(instanceReservation).isPresent() || total[0] + total[1] == 0
            ? l.reserve(organization, quota, instanceReservation, moreBytes, moreBinaries, expires)
            // this instance's reservation lapsed (a long stall): what its other puts hold is asked again too
            : l.reserve(organization, quota, instanceReservation, total[0] + moreBytes, total[1] + moreBinaries,
                expires), true);
        total[0] += moreBytes;
        total[1] += moreBinaries;
        bytes += moreBytes;
        binaries += moreBinaries;
        renewed = clock.instant();
      }
    }

    /** Keeps the reservation alive while bytes flow: a write per quarter of its lifetime. */
    void renewIfDue() {
      if (Duration.between(renewed, clock.instant()).compareTo(quotas.reservationTtl().dividedBy(4)) >= 0) {
        reserve(0, 0);
      }
    }

    /** Ends the reservation; {@code stored} and {@code storedBinaries} more are kept as stored. */
    void end(long storedBytes, long storedBinaries) {
      synchronized (total) {
        total[0] -= bytes;
        total[1] -= binaries;
        long expires = expiry(quotas.reservationTtl());
        try {
          update(organization, l -> l.adjust(instanceReservation, -bytes, -binaries, expires)
              .store(storedBytes, storedBinaries));
        } catch (RuntimeException e) {
          LOG.warn("{}: the quota ledger could not be updated after a put ({}); its reservation lapses in {} and"
              + " a reconcile counts what is stored", organization, e.toString(), quotas.reservationTtl());
        }
        bytes = 0;
        binaries = 0;
      }
    }
  }

  /**
   * The content as the put reads it: past what is reserved, the reservation grows (by at least
   * {@link #STEP}, or what the limit leaves, or it refuses); while bytes flow, it is renewed.
   */
  private static final class Metered extends FilterInputStream {
    private final PutReservation reservation;
    private final long replaced;
    private long read;

    Metered(InputStream in, PutReservation reservation, long replaced) {
      super(in);
      this.reservation = reservation;
      this.replaced = replaced;
    }

    private void counted(long n) throws IOException {
      if (n <= 0) {
        return;
      }
      read += n;
      try {
        long need = read - replaced - reservation.bytes;
        if (need > 0) {
          try {
            reservation.reserve(Math.max(need, Math.max(STEP, reservation.bytes)), 0);
          } catch (QuotaExceededException e) {
            // near the limit: steps of at most STEP and at most half the room left, so that puts racing
            // for it are not shut out by the first to ask, in a number of writes that stays logarithmic
            long room = e.maximum() - e.usage();
            if (room < need) {
              throw e;
            }
            reservation.reserve(Math.max(need, Math.min(room / 2, STEP)), 0);
          }
        } else {
          reservation.renewIfDue();
        }
      } catch (QuotaExceededException e) {
        reservation.refused = e;
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      counted(n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      counted(s);
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws QuotaExceededException if the organization's quota does not allow the put's bytes, or a
   *     new binary; nothing is stored and nothing of the quota stays used
   */
  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    Optional<StorageQuota> quota = quotaOf(organization);
    if (quota.isEmpty() || key == null || content == null || options == null) {
      return storage.put(organization, key, content, options);
    }
    long old = sizeOf(organization, key);
    long replaced = Math.max(0, old);
    long newBinaries = old < 0 ? 1 : 0;
    PutReservation reservation = new PutReservation(organization, quota.get());
    reservation.reserve(Math.max(0, options.contentLength().orElse(0) - replaced), newBinaries);
    StoredBinary stored;
    try {
      stored = storage.put(organization, key, new Metered(content, reservation, replaced), options);
    } catch (RuntimeException e) {
      reservation.end(0, 0);
      if (reservation.refused != null) {
        reservation.refused.addSuppressed(e);
        throw reservation.refused;
      }
      throw e;
    }
    reservation.end(stored.size() - replaced, newBinaries);
    return stored;
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    Optional<StorageQuota> quota = quotaOf(organization);
    if (quota.isEmpty() || key == null) {
      return storage.delete(organization, key);
    }
    ledger(organization);
    long size = sizeOf(organization, key);
    DeleteResult result = storage.delete(organization, key);
    if (result == DeleteResult.DELETED && size >= 0) {
      try {
        update(organization, l -> l.store(-size, -1));
      } catch (RuntimeException e) {
        LOG.warn("{}: the quota ledger could not be updated after a delete ({}); a reconcile counts what is stored",
            organization, e.toString());
      }
    }
    return result;
  }

  /**
   * Removes the organization from the storage, then its ledger: what it held is gone, and so are
   * its direct uploads' reservations (their uploads were aborted); the next counted operation
   * counts from a listing again.
   */
  @Override
  public org.binarybackends.OrganizationRemoval removeOrganization(OrganizationId organization, boolean dryRun,
      java.util.function.Consumer<ListedBinary> each) {
    org.binarybackends.OrganizationRemoval removal = storage.removeOrganization(organization, dryRun, each);
    if (!dryRun && quotaOf(organization).isPresent()) {
      notes.update(organization, QuotaLedger.NOTE, v -> Optional.empty());
    }
    return removal;
  }

  // ---- direct uploads ----

  /** The reservation id of a direct upload: from its upload id, so any instance completing it finds it. */
  static String reservationOf(DirectUpload upload) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((upload.location().organization().value() + "\n"
          + upload.location().key().value() + "\n" + upload.uploadId()).getBytes(StandardCharsets.UTF_8));
      return "u" + HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Direct uploads reserving their declared size at start, for as long as they may be completed. */
  private final class Direct implements DirectUploads {
    private final DirectUploads uploads;

    Direct(DirectUploads uploads) {
      this.uploads = uploads;
    }

    @Override
    public DirectUpload start(OrganizationId organization, ObjectKey key, long size, Sha256Digest sha256) {
      Optional<StorageQuota> quota = quotaOf(organization);
      if (quota.isEmpty() || key == null || size < 0) {
        return uploads.start(organization, key, size, sha256);
      }
      long old = sizeOf(organization, key);
      long bytes = Math.max(0, size - Math.max(0, old));
      long binaries = old < 0 ? 1 : 0;
      // refused before the storage is asked, if the ledger as read now says so
      ledger(organization).reserve(organization, quota.get(), "check", bytes, binaries, 0);
      DirectUpload upload = uploads.start(organization, key, size, sha256);
      // reserved under the upload's own id, so that whichever instance completes or aborts it finds it;
      // if another upload took the room meanwhile, this one is aborted before any part could be presigned
      String id = reservationOf(upload);
      try {
        update(organization, l -> l.reserve(organization, quota.get(), id, bytes, binaries,
            expiry(quotas.directUploadTtl())));
      } catch (RuntimeException e) {
        try {
          uploads.abort(upload);
        } catch (RuntimeException a) {
          e.addSuppressed(a);
        }
        throw e;
      }
      return upload;
    }

    @Override
    public PresignedPart presignPart(DirectUpload upload, int partNumber, Sha256Digest partSha256, Duration ttl) {
      return uploads.presignPart(upload, partNumber, partSha256, ttl);
    }

    @Override
    public List<UploadedPart> uploadedParts(DirectUpload upload) {
      return uploads.uploadedParts(upload);
    }

    @Override
    public StoredBinary complete(DirectUpload upload) {
      if (upload == null || quotaOf(upload.location().organization()).isEmpty()) {
        return uploads.complete(upload);
      }
      OrganizationId organization = upload.location().organization();
      long old = sizeOf(organization, upload.location().key());
      long replaced = Math.max(0, old);
      boolean newBinary = old < 0;
      StoredBinary stored;
      try {
        stored = uploads.complete(upload);
      } catch (IntegrityException e) {
        if (!e.uploadStillOpen()) { // refused and removed (a changed record, a wrong digest): nothing to reserve for
          release(organization, reservationOf(upload), e);
        }
        throw e;
      }
      String id = reservationOf(upload);
      try {
        update(organization, l -> {
          QuotaLedger.Reservation r = l.reservation(id).orElse(new QuotaLedger.Reservation(0, 0, 0));
          return l.adjust(id, -r.bytes(), -r.binaries(), r.expires()).store(stored.size() - replaced, newBinary ? 1 : 0);
        });
      } catch (RuntimeException e) {
        LOG.warn("{}: the quota ledger could not be updated after a direct upload ({}); a reconcile counts what is"
            + " stored", organization, e.toString());
      }
      return stored;
    }

    @Override
    public void abort(DirectUpload upload) {
      uploads.abort(upload);
      if (upload != null && quotaOf(upload.location().organization()).isPresent()) {
        release(upload.location().organization(), reservationOf(upload), null);
      }
    }

    private void release(OrganizationId organization, String id, RuntimeException cause) {
      try {
        update(organization, l -> {
          QuotaLedger.Reservation r = l.reservation(id).orElse(new QuotaLedger.Reservation(0, 0, 0));
          return l.adjust(id, -r.bytes(), -r.binaries(), r.expires());
        });
      } catch (RuntimeException e) {
        if (cause != null) {
          cause.addSuppressed(e);
        }
        LOG.warn("{}: a direct upload's reservation could not be released ({}); it lapses", organization, e.toString());
      }
    }
  }

  @Override
  public Optional<DirectUploads> directUploads() {
    return Optional.ofNullable(directUploads);
  }

  // ---- passed through ----

  @Override
  public BackendInstanceId instanceId() {
    return storage.instanceId();
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    return storage.read(organization, key, range);
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    return storage.stat(organization, key);
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    return storage.list(organization, request);
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    return storage.signDownloadUrl(organization, key, ttl);
  }

  @Override
  public VerificationReport verify() {
    return storage.verify();
  }

  @Override
  public void close() {
    storage.close();
  }

  @Override
  public String toString() {
    return storage + " with quotas";
  }
}
