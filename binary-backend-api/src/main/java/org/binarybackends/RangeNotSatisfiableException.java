package org.binarybackends;

/** The byte range asked for starts at or beyond the end of the binary (HTTP 416). */
public final class RangeNotSatisfiableException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final long size;

  public RangeNotSatisfiableException(ByteRange range, long size) {
    super("range " + range + " is not satisfiable: the binary has " + size + " bytes");
    this.size = size;
  }

  /** The binary's real size, for {@code Content-Range: bytes *}{@code /size}. */
  public long size() {
    return size;
  }
}
