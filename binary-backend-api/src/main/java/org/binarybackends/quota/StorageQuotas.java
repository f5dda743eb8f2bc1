package org.binarybackends.quota;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.OrganizationId;

/**
 * Which organizations' use of the default storage is limited, and how: given to {@code
 * BinaryBackends.builder().quotas(...)}. Asked at every put and direct upload start, so it may read
 * the platform's own records (keep it fast: cache them). An organization without a quota is not
 * counted at all; when it gets one, its usage is counted from a listing of its binaries, once.
 *
 * <p>Usage is kept in the state store's shared notes, so every service instance sharing the store
 * counts the same uploads (with PostgreSQL, across hosts). Implementations are thread-safe.
 */
@FunctionalInterface
public interface StorageQuotas {
  /** The quota of {@code organization}, or empty for none. */
  Optional<StorageQuota> of(OrganizationId organization);

  /**
   * How long a reservation of an upload streaming through an instance lives without being renewed:
   * renewed while bytes flow, it lapses when the instance died (10 minutes).
   */
  default Duration reservationTtl() {
    return Duration.ofMinutes(10);
  }

  /** How long a direct upload's reservation lives if it is neither completed nor aborted (7 days). */
  default Duration directUploadTtl() {
    return Duration.ofDays(7);
  }

  /** The same {@code quota} for every organization. */
  static StorageQuotas every(StorageQuota quota) {
    Objects.requireNonNull(quota, "quota");
    Optional<StorageQuota> q = Optional.of(quota);
    return organization -> q;
  }
}
