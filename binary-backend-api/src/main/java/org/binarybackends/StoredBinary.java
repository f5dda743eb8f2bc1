package org.binarybackends;

import java.time.Instant;
import java.util.Objects;

/**
 * A binary as stored: where, how big, its SHA-256 and when it was stored.
 *
 * @param location where its bytes are
 * @param size its length in bytes
 * @param sha256 the SHA-256 of the whole binary, computed by the library while storing it
 * @param storedAt when the version was stored
 */
public record StoredBinary(BinaryLocation location, long size, Sha256Digest sha256, Instant storedAt) {
  public StoredBinary {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(storedAt, "storedAt");
    if (size < 0) {
      throw InvalidInputException.of("size", Long.toString(size), "a length >= 0");
    }
  }

  /** This binary as a listing shows it. */
  public ListedBinary listed() {
    return new ListedBinary(location, size, storedAt);
  }

  /** The key, short for {@code location().key()}. */
  public ObjectKey key() {
    return location.key();
  }
}
