package org.binarybackends;

/**
 * The storage could not be reached or failed. {@link #retryable()} says whether the same call may
 * succeed later (throttling, a timeout, a 5xx, a full disk being freed) or not (a corrupt store).
 * A retryable failure is never a reason to consider a backend misconfigured.
 */
public final class BackendUnavailableException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public BackendUnavailableException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
