package org.binarybackends;

/**
 * The bytes received are not the bytes promised: a SHA-256 or a length that does not match. When
 * thrown by a put, nothing was stored and any earlier version under the key is intact.
 */
public final class IntegrityException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    super(message);
  }

  /** The SHA-256 of what was streamed differs from the one the caller expected. */
  public static IntegrityException digestMismatch(ObjectKey key, Sha256Digest expected, Sha256Digest actual) {
    return new IntegrityException("SHA-256 mismatch for " + key + ": expected " + expected.hex()
        + ", received " + actual.hex() + "; nothing was stored");
  }

  /** The number of bytes streamed differs from the length the caller declared. */
  public static IntegrityException lengthMismatch(ObjectKey key, long declared, long received) {
    return new IntegrityException("length mismatch for " + key + ": declared " + declared
        + " bytes, received " + received + "; nothing was stored");
  }
}
