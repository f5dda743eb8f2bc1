package org.binarybackends;

/**
 * The bytes received are not the bytes promised: a SHA-256 or a length that does not match. When
 * thrown by a put, nothing was stored and any earlier version under the key is intact.
 */
public final class IntegrityException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final boolean uploadStillOpen;

  public IntegrityException(String message) {
    this(message, false);
  }

  /**
   * @param uploadStillOpen for a direct upload's completion: whether the upload stays open to be
   *     completed again once the parts named are sent
   */
  public IntegrityException(String message, boolean uploadStillOpen) {
    super(message);
    this.uploadStillOpen = uploadStillOpen;
  }

  /**
   * For {@link DirectUploads#complete}: true if parts were missing or of the wrong length and the
   * upload stays open (send them, complete again); false if the upload was removed (start again),
   * and for every other failure.
   */
  public boolean uploadStillOpen() {
    return uploadStillOpen;
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
