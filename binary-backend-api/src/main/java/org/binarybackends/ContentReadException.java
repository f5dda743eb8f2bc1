package org.binarybackends;

import java.io.IOException;

/**
 * Reading the caller's content failed during a put: the stream handed to {@link
 * BinaryBackend#put} threw, not the storage. Nothing was stored and the previous version, if any,
 * is intact. {@link #bytesRead()} is how many bytes the stream had given before it failed, and the
 * cause is its {@link IOException}: retry with a fresh stream, or give up; the storage is fine.
 */
public final class ContentReadException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final long bytesRead;

  public ContentReadException(ObjectKey key, long bytesRead, IOException cause) {
    super("reading the content for " + key + " failed after " + bytesRead + " bytes; nothing was stored: "
        + cause.getMessage(), cause);
    this.bytesRead = bytesRead;
  }

  /** The bytes the caller's stream gave before it failed. */
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
