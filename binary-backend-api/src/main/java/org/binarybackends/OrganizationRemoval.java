package org.binarybackends;

import java.util.Objects;

/**
 * What {@link BinaryBackend#removeOrganization} removed from one storage, or, for a dry run, what
 * it would remove.
 *
 * @param storage the instance the binaries were in
 * @param dryRun whether nothing was removed (a listing of what would go)
 * @param binaries how many binaries were removed (or would be)
 * @param bytes their bytes
 * @param uploadsAborted uploads in flight aborted (counted, not aborted, in a dry run), where the
 *     storage can tell them apart
 */
public record OrganizationRemoval(OrganizationId organization, BackendInstanceId storage, boolean dryRun,
    long binaries, long bytes, int uploadsAborted) {
  public OrganizationRemoval {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(storage, "storage");
  }

  @Override
  public String toString() {
    return (dryRun ? "would remove " : "removed ") + binaries + " binaries (" + bytes + " bytes)"
        + (uploadsAborted > 0 ? " and " + uploadsAborted + " uploads in flight" : "") + " of " + organization.value()
        + " from " + storage;
  }
}
