package org.binarybackends.quota;

import org.binarybackends.OrganizationId;

/**
 * What an organization uses of its quota, as the shared ledger holds it now.
 *
 * @param storedBytes the bytes of its binaries stored
 * @param storedBinaries how many binaries it keeps
 * @param reservedBytes bytes reserved by uploads in flight on every instance
 * @param reservedBinaries new binaries reserved by uploads in flight
 * @param uploadsInFlight how many reservations are held: one per instance streaming its puts, one
 *     per direct upload started
 * @param quota its quota
 */
public record QuotaUsage(OrganizationId organization, long storedBytes, long storedBinaries, long reservedBytes,
    long reservedBinaries, int uploadsInFlight, StorageQuota quota) {

  /** Stored and reserved bytes together: what the next upload is measured against. */
  public long bytesInUse() {
    return saturatedAdd(storedBytes, reservedBytes);
  }

  /** Stored and reserved binaries together. */
  public long binariesInUse() {
    return saturatedAdd(storedBinaries, reservedBinaries);
  }

  static long saturatedAdd(long a, long b) {
    long s = a + b;
    return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
  }
}
