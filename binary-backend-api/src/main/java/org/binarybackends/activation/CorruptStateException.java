package org.binarybackends.activation;

import org.binarybackends.BinaryBackendException;

/**
 * A stored state cannot be read: truncated, corrupted, encrypted under another key, or written by
 * a newer version of the library. The store leaves it as it is (it is never silently replaced by an
 * empty state); an operator restores it from a backup or a newer library reads it.
 */
public final class CorruptStateException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  public CorruptStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
