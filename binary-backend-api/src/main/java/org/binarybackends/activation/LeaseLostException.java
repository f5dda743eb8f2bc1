package org.binarybackends.activation;

import org.binarybackends.BinaryBackendException;

/**
 * The lease of a check lapsed (the instance was paused longer than the lease) or another instance
 * claimed it: what the check found was not stored, and the check is another instance's now.
 */
public final class LeaseLostException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  public LeaseLostException(CheckLease lease) {
    super("the check lease of organization " + lease.organization() + " held by " + lease.holder() + " (fencing "
        + lease.fencing() + ") is no longer held; nothing was stored");
  }
}
