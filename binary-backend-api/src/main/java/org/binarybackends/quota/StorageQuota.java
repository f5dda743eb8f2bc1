package org.binarybackends.quota;

import org.binarybackends.InvalidInputException;

/**
 * The limits of one organization's use of the platform's storage: the bytes of its binaries and how
 * many it keeps. {@link Long#MAX_VALUE} is no limit. Immutable.
 *
 * @param maxBytes the most bytes its binaries (and uploads in flight) may take, at least 0
 * @param maxBinaries the most binaries it may keep, at least 0
 */
public record StorageQuota(long maxBytes, long maxBinaries) {
  public StorageQuota {
    if (maxBytes < 0) {
      throw InvalidInputException.of("maxBytes", Long.toString(maxBytes), "at least 0 (Long.MAX_VALUE: no limit)");
    }
    if (maxBinaries < 0) {
      throw InvalidInputException.of("maxBinaries", Long.toString(maxBinaries),
          "at least 0 (Long.MAX_VALUE: no limit)");
    }
  }

  /** At most {@code maxBytes} bytes, any number of binaries. */
  public static StorageQuota bytes(long maxBytes) {
    return new StorageQuota(maxBytes, Long.MAX_VALUE);
  }

  /** At most {@code maxBinaries} binaries, of any size. */
  public static StorageQuota binaries(long maxBinaries) {
    return new StorageQuota(Long.MAX_VALUE, maxBinaries);
  }

  @Override
  public String toString() {
    return "StorageQuota{bytes " + (maxBytes == Long.MAX_VALUE ? "unlimited" : maxBytes) + ", binaries "
        + (maxBinaries == Long.MAX_VALUE ? "unlimited" : maxBinaries) + "}";
  }
}
