package org.binarybackends.activation.internal;

import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.StorageConfiguration;

/**
 * Where an organization's new uploads go by its state, and why: the one place the rule is written,
 * for the resolver (which acts on it) and the status (which shows it).
 */
public record UploadRoute(OrganizationStatus.UploadsGoTo to, String reason) {
  public static UploadRoute of(OrganizationState s) {
    if (s.active().isPresent()) {
      StorageConfiguration a = s.active().get();
      if (a.fullyActive()) {
        return new UploadRoute(OrganizationStatus.UploadsGoTo.OWN_STORAGE, "active: " + a.uploadInstance());
      }
      if (s.fallbackAllowed()) {
        return new UploadRoute(OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE, "degraded: " + a.why()
            + "; falling back to the default storage, as allowed for this organization");
      }
      return new UploadRoute(OrganizationStatus.UploadsGoTo.NOWHERE, a.why());
    }
    if (s.staged().isPresent()) {
      return new UploadRoute(OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE, "pending: " + s.staged().get().why());
    }
    return new UploadRoute(OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE, "no storage of its own is registered");
  }
}
