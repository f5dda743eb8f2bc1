package org.binarybackends.migration;

import java.util.List;
import java.util.Objects;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;

/**
 * What a migration of one organization's binaries from {@code from} to {@code to} would do, as the
 * two storages hold them now: what it would copy, what is at the target already with the same
 * SHA-256 (skipped), and what is at the target with another content (a conflict: never overwritten;
 * the run reports it and the move is not recorded until it is resolved).
 *
 * @param conflictKeys the first {@value #LISTED} conflicting keys
 * @param copiesInStorage whether the copies would run inside the storage (the target's identity can
 *     read the source: {@link org.binarybackends.BinaryBackend#serverSideCopyFrom}), the bytes never
 *     passing through this process; else each binary is read from the source and put at the target
 */
public record MigrationPlan(OrganizationId organization, BackendInstanceId from, BackendInstanceId to, long toCopy,
    long toCopyBytes, long alreadyThere, long alreadyThereBytes, long conflicts, List<ObjectKey> conflictKeys,
    boolean copiesInStorage) {
  /** How many conflicting keys a plan names. */
  public static final int LISTED = 100;

  public MigrationPlan {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    conflictKeys = List.copyOf(conflictKeys);
  }

  /** What a dry run prints. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder().append(organization).append(": ").append(from).append(" -> ").append(to)
        .append(": ").append(toCopy).append(" binaries to copy (").append(toCopyBytes).append(" bytes), ")
        .append(alreadyThere).append(" at the target already with the same SHA-256 (").append(alreadyThereBytes)
        .append(" bytes, skipped), ").append(conflicts).append(" conflicts (at the target with another content; never"
            + " overwritten)");
    if (!conflictKeys.isEmpty()) {
      b.append(": ").append(conflictKeys.stream().map(ObjectKey::value).collect(java.util.stream.Collectors.joining(
          ", "))).append(conflicts > conflictKeys.size() ? ", ..." : "");
    }
    return b.append("; copies ").append(copiesInStorage ? "inside the storage (server-side)" : "through this process")
        .toString();
  }
}
