package org.binarybackends.quota.internal;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.binarybackends.OrganizationId;
import org.binarybackends.QuotaExceededException;
import org.binarybackends.quota.QuotaUsage;
import org.binarybackends.quota.StorageQuota;
import org.binarybackends.spi.SharedNotes;

/**
 * One organization's quota ledger, the value of its shared note {@value #NOTE}: the bytes and
 * binaries stored, and the reservations of uploads in flight, each with its expiry. Kept in one note
 * so that a check of the limit and the reservation it allows are one compare-and-set, on every store
 * that keeps notes (and across instances on a shared one). Immutable; every change returns a new
 * ledger.
 *
 * <p>The text form, written by hand rather than as JSON because a note holds at most {@value
 * SharedNotes#MAX_VALUE} characters and every one counts: {@code v1 b=<bytes> n=<binaries>} then,
 * per reservation, {@code <id>=<bytes>,<binaries>,<expires epoch second>}. Ids: {@code p…} for an
 * instance's puts in flight (all of them in one reservation, renewed while bytes flow), {@code u…}
 * for a direct upload. About twenty reservations fit; beyond, an upload is refused as retryable.
 */
final class QuotaLedger {
  static final String NOTE = "quota/ledger";
  private static final String VERSION = "v1";

  /** One reservation: bytes and new binaries held for uploads in flight, until {@code expires}. */
  record Reservation(long bytes, long binaries, long expires) {
    Reservation plus(long moreBytes, long moreBinaries, long newExpiry) {
      return new Reservation(Math.max(0, bytes + moreBytes), Math.max(0, binaries + moreBinaries), newExpiry);
    }

    boolean empty() {
      return bytes == 0 && binaries == 0;
    }
  }

  /** The note does not hold a ledger this version reads. */
  static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message);
    }
  }

  private final long storedBytes;
  private final long storedBinaries;
  private final Map<String, Reservation> reservations;

  private QuotaLedger(long storedBytes, long storedBinaries, Map<String, Reservation> reservations) {
    this.storedBytes = Math.max(0, storedBytes);
    this.storedBinaries = Math.max(0, storedBinaries);
    this.reservations = Collections.unmodifiableMap(new TreeMap<>(reservations));
  }

  /** A ledger of what a listing found, with no reservation. */
  static QuotaLedger stored(long bytes, long binaries) {
    return new QuotaLedger(bytes, binaries, Map.of());
  }

  static QuotaLedger parse(String text) {
    String[] parts = text.trim().split(" ");
    if (parts.length < 3 || !parts[0].equals(VERSION) || !parts[1].startsWith("b=") || !parts[2].startsWith("n=")) {
      throw new Unreadable("not a " + VERSION + " quota ledger");
    }
    try {
      long b = Long.parseLong(parts[1].substring(2));
      long n = Long.parseLong(parts[2].substring(2));
      Map<String, Reservation> r = new TreeMap<>();
      for (int i = 3; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        String[] f = parts[i].substring(eq + 1).split(",");
        if (eq < 2 || f.length != 3) {
          throw new Unreadable("reservation " + (i - 2) + " is not <id>=<bytes>,<binaries>,<expires>");
        }
        r.put(parts[i].substring(0, eq), new Reservation(Long.parseLong(f[0]), Long.parseLong(f[1]),
            Long.parseLong(f[2])));
      }
      return new QuotaLedger(b, n, r);
    } catch (NumberFormatException e) {
      throw new Unreadable("a number does not parse (" + e.getMessage() + ")");
    }
  }

  String encode() {
    StringBuilder s = new StringBuilder(VERSION).append(" b=").append(storedBytes).append(" n=").append(storedBinaries);
    reservations.forEach((id, r) -> s.append(' ').append(id).append('=').append(r.bytes()).append(',')
        .append(r.binaries()).append(',').append(r.expires()));
    return s.toString();
  }

  /** This ledger without the reservations expired at {@code now}: those of instances that died, or uploads abandoned. */
  QuotaLedger withoutExpired(Instant now) {
    Map<String, Reservation> live = new TreeMap<>(reservations);
    live.values().removeIf(r -> r.expires() <= now.getEpochSecond());
    return live.size() == reservations.size() ? this : new QuotaLedger(storedBytes, storedBinaries, live);
  }

  Optional<Reservation> reservation(String id) {
    return Optional.ofNullable(reservations.get(id));
  }

  /**
   * Reserves {@code bytes} and {@code binaries} more under {@code id} (renewing it to {@code expires}),
   * if the quota allows them on top of what is stored and reserved by anyone.
   *
   * @throws QuotaExceededException if it does not
   */
  QuotaLedger reserve(OrganizationId organization, StorageQuota quota, String id, long bytes, long binaries,
      long expires) {
    long bytesInUse = add(storedBytes, reservedBytes());
    if (bytes > 0 && add(bytesInUse, bytes) > quota.maxBytes()) {
      throw new QuotaExceededException(organization, QuotaExceededException.Limit.STORED_BYTES, quota.maxBytes(),
          bytesInUse, bytes);
    }
    long binariesInUse = add(storedBinaries, reservedBinaries());
    if (binaries > 0 && add(binariesInUse, binaries) > quota.maxBinaries()) {
      throw new QuotaExceededException(organization, QuotaExceededException.Limit.BINARIES, quota.maxBinaries(),
          binariesInUse, binaries);
    }
    return adjust(id, bytes, binaries, expires);
  }

  /** Changes reservation {@code id} by the amounts given (negative: released), without a check. */
  QuotaLedger adjust(String id, long bytes, long binaries, long expires) {
    Map<String, Reservation> next = new TreeMap<>(reservations);
    Reservation r = next.getOrDefault(id, new Reservation(0, 0, expires)).plus(bytes, binaries, expires);
    if (r.empty()) {
      next.remove(id);
    } else {
      next.put(id, r);
    }
    return new QuotaLedger(storedBytes, storedBinaries, next);
  }

  /** Records {@code bytes} and {@code binaries} more stored (negative: deleted, or an overwrite shrinking). */
  QuotaLedger store(long bytes, long binaries) {
    return new QuotaLedger(storedBytes + bytes, storedBinaries + binaries, reservations);
  }

  /** What a listing found stored, the reservations kept. */
  QuotaLedger reconciled(long bytes, long binaries) {
    return new QuotaLedger(bytes, binaries, reservations);
  }

  long reservedBytes() {
    return reservations.values().stream().mapToLong(Reservation::bytes).reduce(0, QuotaLedger::add);
  }

  long reservedBinaries() {
    return reservations.values().stream().mapToLong(Reservation::binaries).reduce(0, QuotaLedger::add);
  }

  QuotaUsage usage(OrganizationId organization, StorageQuota quota) {
    return new QuotaUsage(organization, storedBytes, storedBinaries, reservedBytes(), reservedBinaries(),
        reservations.size(), quota);
  }

  @Override
  public String toString() {
    return encode();
  }

  /** A sum that saturates at {@link Long#MAX_VALUE}: "unlimited" must never wrap around. */
  private static long add(long a, long b) {
    long s = a + b;
    return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
  }
}
