package org.binarybackends;

import java.time.Instant;
import java.util.Objects;

/**
 * A binary as a listing shows it: where, how big and when it was stored, without its SHA-256.
 * Listings are a cheap index (an object store lists a thousand keys in one request but keeps no
 * digest a listing could return); {@link BinaryBackend#stat} gives the digest of one binary.
 *
 * @param location where its bytes are
 * @param size its length in bytes
 * @param storedAt when the version was stored
 */
public record ListedBinary(BinaryLocation location, long size, Instant storedAt) {
  public ListedBinary {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(storedAt, "storedAt");
    if (size < 0) {
      throw InvalidInputException.of("size", Long.toString(size), "a length >= 0");
    }
  }

  /** The key, short for {@code location().key()}. */
  public ObjectKey key() {
    return location.key();
  }
}
