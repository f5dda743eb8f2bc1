package org.binarybackends;

/**
 * The root of every exception this library throws on purpose. Unchecked; its subtypes say what a
 * caller can do about a failure:
 *
 * <ul>
 *   <li>{@link BinaryNotFoundException}: nothing is stored under that key;
 *   <li>{@link IntegrityException}: the bytes are not what was promised, nothing was stored;
 *   <li>{@link ContentReadException}: the caller's own stream failed during a put, nothing was stored;
 *   <li>{@link AccessDeniedException}: the storage refused, with a diagnosis a person can act on;
 *   <li>{@link InvalidInputException} and {@link InvalidConfigurationException}: a value was
 *       refused before anything was done, every violation listed;
 *   <li>{@link RangeNotSatisfiableException}: the byte range lies beyond the binary;
 *   <li>{@link BackendUnavailableException}: the storage could not be reached or failed; see
 *       {@link BackendUnavailableException#retryable()}.
 * </ul>
 *
 * <p>Messages never contain a secret (keys, tokens, signed URLs).
 */
public class BinaryBackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BinaryBackendException(String message) {
    super(message);
  }

  public BinaryBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
