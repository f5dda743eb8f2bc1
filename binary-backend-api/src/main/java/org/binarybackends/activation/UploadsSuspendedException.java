package org.binarybackends.activation;

import org.binarybackends.BinaryBackendException;
import org.binarybackends.OrganizationId;

/**
 * The organization has switched to its own storage, which is degraded now, and the embedding
 * service has not allowed falling back to the default storage for it: uploads would break the
 * reason the customer brought their own storage, so they fail until the storage recovers (or
 * fallback is allowed). The message says why the storage is degraded.
 */
public final class UploadsSuspendedException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final OrganizationId organization;

  public UploadsSuspendedException(OrganizationId organization, String reason) {
    super("uploads of organization " + organization + " are suspended: its own storage is degraded (" + reason
        + "); they do not go to the default storage unless fallback is allowed for it");
    this.organization = organization;
  }

  public OrganizationId organization() {
    return organization;
  }
}
