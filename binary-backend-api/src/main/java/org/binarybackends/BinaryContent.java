package org.binarybackends;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * An open read of one version of a binary: its stream, the binary it belongs to and the part being
 * read. Bytes and metadata come from the same version even if the key is overwritten meanwhile.
 * Not thread-safe; close it (or its stream) when done.
 */
public final class BinaryContent implements AutoCloseable {
  private final StoredBinary binary;
  private final ByteRange.Resolved range;
  private final InputStream stream;

  public BinaryContent(StoredBinary binary, ByteRange.Resolved range, InputStream stream) {
    this.binary = Objects.requireNonNull(binary, "binary");
    this.range = Objects.requireNonNull(range, "range");
    this.stream = Objects.requireNonNull(stream, "stream");
  }

  /** The version being read, whole: its size, SHA-256 (a strong ETag), time. */
  public StoredBinary binary() {
    return binary;
  }

  /** The bytes this stream yields: {@code range().length()} bytes from {@code range().offset()}. */
  public ByteRange.Resolved range() {
    return range;
  }

  /** The bytes; read it once. */
  public InputStream stream() {
    return stream;
  }

  /** Closes the stream; never throws a checked exception. */
  @Override
  public void close() {
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
